/** Public API of the mapping engine (mappings/README.md describes the files it reads). */
export {
  type ClassPlan,
  defaultMappingsDir,
  type LoadOptions,
  listSources,
  loadSourceMappings,
  type MapOutcome,
  mapRecord,
  type Reason,
  type SourceMappings,
} from "./engine.ts";
export {
  type MapCounts,
  MapRun,
  type MapSink,
  mapLines,
  type QuarantineRecord,
  splitLines,
  unreadableLine,
} from "./stream.ts";
export { parseTime, type TimeFormat } from "./time.ts";
