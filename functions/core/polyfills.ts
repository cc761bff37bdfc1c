// aws-local-stepfunctions 3.0.0 calls Promise.withResolvers (Node 22+). On Node 20 the TypeError is
// swallowed by a `Catch: States.ALL` and the run silently ends in Fail, so install it before any run.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
