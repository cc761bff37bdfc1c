import { faultMatrix } from "./faultMatrix.ts";

faultMatrix("sailpoint", {
  storm: {
    apiFaults: [
      { on: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], fault: { kind: "status", status: 429, retryAfter: "0" } },
    ],
  },
});
