import { faultMatrix } from "./faultMatrix.ts";
import { throttledListings } from "./harness.ts";

// A producer that writes OCSF 1.1.0 into an S3 inbox (the `ocsf` source), throttled like the DSPM inbox.
faultMatrix("ocsf", { storm: { wrapInbox: (store) => throttledListings(store, 3) } });
