import { faultMatrix } from "./faultMatrix.ts";
import { throttledListings } from "./harness.ts";

faultMatrix("zscaler-dspm", { storm: { wrapInbox: (store) => throttledListings(store, 3) } });
