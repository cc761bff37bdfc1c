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
    const outcome = mapRecord(this.mappings, line);
    switch (outcome.kind) {
      case "mapped": {
        const key = String(outcome.classUid);
        this.counts.mapped[key] = (this.counts.mapped[key] ?? 0) + 1;
        if (outcome.coerced > 0) this.counts.coerced++;
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
