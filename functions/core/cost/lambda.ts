import {
  AWS_API_CALL_SECONDS,
  FULL_VCPU_MB,
  LAMBDA_INIT_SECONDS,
  LOCAL_TO_LAMBDA_CPU,
  S3_BYTES_PER_SECOND,
  S3_REQUEST_SECONDS,
  VENDOR_PAGE_SECONDS,
} from "./assumptions.ts";
import { atLoop, type Fitted, type RoleUsage, S3_KINDS } from "./usage.ts";

/** How much a month of loops of one shape adds up to. */
export interface LoopVolume {
  readonly loops: number;
  readonly eventsPerLoop: number;
  readonly sources: number;
}

/** A fitted quantity over a month of loops. */
export function monthly(q: Fitted, v: LoopVolume): number {
  return v.loops * atLoop(q, v.eventsPerLoop, v.sources);
}

export interface FunctionMonth {
  readonly invocations: number;
  readonly seconds: number;
  readonly gbSeconds: number;
}

/**
 * A month of one function on Lambda at `memoryMb`: local CPU time stretched below one full vCPU, plus
 * the network waits the local run does not have (S3, AWS APIs, the vendor's pages), plus INITs.
 */
export function functionMonth(
  role: RoleUsage<Fitted>,
  v: LoopVolume,
  memoryMb: number,
  coldStarts: number,
): FunctionMonth {
  const q = (f: Fitted) => monthly(f, v);
  const requests = S3_KINDS.reduce((sum, kind) => sum + q(role.s3[kind]), 0);
  const cpu = q(role.seconds) * LOCAL_TO_LAMBDA_CPU * Math.max(1, FULL_VCPU_MB / memoryMb);
  const network =
    requests * S3_REQUEST_SECONDS +
    q(role.s3Bytes) / S3_BYTES_PER_SECOND +
    q(role.awsCalls) * AWS_API_CALL_SECONDS +
    q(role.vendorPages) * VENDOR_PAGE_SECONDS;
  const seconds = cpu + network + coldStarts * LAMBDA_INIT_SECONDS;
  return { invocations: q(role.invocations), seconds, gbSeconds: (seconds * memoryMb) / 1024 };
}
