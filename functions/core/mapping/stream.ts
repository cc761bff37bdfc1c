import { type MapOutcome, mapRecord, type Reason, type SourceMappings } from "./engine.ts";

/** A quarantined input: why, where, and the raw text exactly as it arrived. */
export interface QuarantineRecord {
  readonly reason: Reason;
  readonly file?: string;
  readonly line?: number;
  readonly eventType?: string;
  readonly raw: string;
}

export interface MapCounts {
  in: number;
  /** Mapped events per class_uid, as text keys ("3002"). */
  mapped: Record<string, number>;
  skipped: number;
  quarantined: number;
  /** Mapped events in which at least one value was converted to its attribute's type (lossless). */
  coerced: number;
  /** `ocsf` source only: attributes the class does not define, moved into `unmapped` (never dropped). */
  movedToUnmapped?: number;
}

/**
 * A line a fetcher could not take as an event (not JSON, truncated, not an object; or a whole object it
 * could not decode), staged in its place so the rest of the file and the inbox flow on. The map step
 * quarantines it with its origin (`<bucket>/<key>:<line>`) and the reason, and the text as it arrived.
 */
const UNREADABLE = "seclake:unreadable";
const UNREADABLE_PREFIX = `{"${UNREADABLE}":`;

export function unreadableLine(
  origin: { file: string; line?: number },
  reason: string,
  text: string,
): string {
  return JSON.stringify({ [UNREADABLE]: { ...origin, reason, text } });
}

function parseUnreadable(
  line: string,
): { file: string; line?: number; reason: string; text: string } | undefined {
  if (!line.startsWith(UNREADABLE_PREFIX)) return undefined;
  try {
    const inner = (JSON.parse(line) as Record<string, unknown>)[UNREADABLE] as Record<string, unknown>;
    if (
      typeof inner?.file !== "string" ||
      typeof inner.reason !== "string" ||
      typeof inner.text !== "string"
    ) {
      return undefined;
    }
    return {
      file: inner.file,
      ...(typeof inner.line === "number" ? { line: inner.line } : {}),
      reason: inner.reason,
      text: inner.text,
    };
  } catch {
    return undefined;
  }
}

/** Where a run puts its results; the default keeps them in memory. */
export interface MapSink {
  mapped(classUid: number, json: string, event: Record<string, unknown>): void;
  quarantined(record: QuarantineRecord): void;
}

/**
 * Maps NDJSON lines one by one. Blank lines are ignored; every other line is counted exactly once:
 * `counts.in` = sum of mapped + skipped + quarantined. Skipped event types are tallied in `skippedTypes`.
 */
export class MapRun {
  readonly counts: MapCounts = { in: 0, mapped: {}, skipped: 0, quarantined: 0, coerced: 0 };
  readonly skippedTypes = new Map<string, number>();
  /** Serialized OCSF events per class_uid (only with the default in-memory sink). */
  readonly outputs = new Map<number, string[]>();
  /** Quarantine records (only with the default in-memory sink). */
  readonly quarantine: QuarantineRecord[] = [];
  private readonly sink: MapSink;

  constructor(
    readonly mappings: SourceMappings,
    options: { file?: string; sink?: MapSink } = {},
  ) {
    this.file = options.file;
    if (mappings.passThrough) this.counts.movedToUnmapped = 0;
    this.sink = options.sink ?? {
      mapped: (classUid, json) => {
        const list = this.outputs.get(classUid);
        if (list) list.push(json);
        else this.outputs.set(classUid, [json]);
      },
      quarantined: (record) => {
        this.quarantine.push(record);
      },
    };
  }

  private readonly file: string | undefined;

  /** Maps one line (`lineNo` is 1-based, for quarantine records). Returns the outcome. */
  push(line: string, lineNo?: number): MapOutcome | undefined {
    if (line.trim() === "") return undefined;
    this.counts.in++;
    const unreadable = parseUnreadable(line);
    if (unreadable) {
      this.counts.quarantined++;
      const reason = { path: "$", message: unreadable.reason };
      this.sink.quarantined({
        reason,
        file: unreadable.file,
        ...(unreadable.line !== undefined ? { line: unreadable.line } : {}),
        raw: unreadable.text,
      });
      return { kind: "quarantined", reason };
    }
    const outcome = mapRecord(this.mappings, line);
    switch (outcome.kind) {
      case "mapped": {
        const key = String(outcome.classUid);
        this.counts.mapped[key] = (this.counts.mapped[key] ?? 0) + 1;
        if (outcome.coerced > 0) this.counts.coerced++;
        if (outcome.moved && this.counts.movedToUnmapped !== undefined)
          this.counts.movedToUnmapped += outcome.moved;
        this.sink.mapped(outcome.classUid, JSON.stringify(outcome.event), outcome.event);
        break;
      }
      case "skipped":
        this.counts.skipped++;
        this.skippedTypes.set(outcome.eventType, (this.skippedTypes.get(outcome.eventType) ?? 0) + 1);
        break;
      case "quarantined": {
        this.counts.quarantined++;
        const record: QuarantineRecord = {
          reason: outcome.reason,
          ...(this.file !== undefined ? { file: this.file } : {}),
          ...(lineNo !== undefined ? { line: lineNo } : {}),
          ...(outcome.eventType !== undefined ? { eventType: outcome.eventType } : {}),
          raw: line,
        };
        this.sink.quarantined(record);
        break;
      }
    }
    return outcome;
  }
}

/** Maps every line of `lines` (sync or async iterable) into a new MapRun. */
export async function mapLines(
  mappings: SourceMappings,
  lines: Iterable<string> | AsyncIterable<string>,
  options: { file?: string; sink?: MapSink } = {},
): Promise<MapRun> {
  const run = new MapRun(mappings, options);
  let n = 0;
  for await (const line of lines) run.push(line, ++n);
  return run;
}

/** Splits NDJSON text into lines (\n or \r\n). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}
