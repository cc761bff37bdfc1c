import { InputError } from "../core/errors.ts";

/** Rejects keys that S3 would accept but a directory cannot represent safely (or that escape it). */
export function checkKey(key: string): string {
  if (key === "" || key.startsWith("/") || key.endsWith("/") || key.includes("\\") || key.includes("\0")) {
    throw new InputError(`object key ${JSON.stringify(key)}: must be relative, use "/" and not end with "/"`);
  }
  for (const segment of key.split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      throw new InputError(`object key ${JSON.stringify(key)}: empty, "." or ".." segment`);
    }
  }
  return key;
}

/** S3 lists keys in ascending UTF-8 byte order; JavaScript's `<` compares UTF-16 units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
