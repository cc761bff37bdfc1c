import type { ObjectStore } from "../../functions/adapters/ports.ts";
import { faultMatrix } from "./faultMatrix.ts";

/** S3 answering SlowDown (503) to the first `n` inbox listings, as the SDK surfaces it after its own retries. */
function throttledListings(store: ObjectStore, n: number): ObjectStore {
  let calls = 0;
  return {
    put: (key, body, options) => store.put(key, body, options),
    get: (key) => store.get(key),
    delete: (key) => store.delete(key),
    list: async (prefix, options) => {
      calls += 1;
      if (calls <= n) {
        throw Object.assign(new Error("Please reduce your request rate."), {
          name: "SlowDown",
          $metadata: { httpStatusCode: 503 },
        });
      }
      return store.list(prefix, options);
    },
  };
}

faultMatrix("zscaler-dspm", { storm: { wrapInbox: (store) => throttledListings(store, 3) } });
