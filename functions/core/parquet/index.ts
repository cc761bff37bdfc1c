/**
 * OCSF → Arrow → Parquet for Security Lake custom sources. The public surface is `convertOcsf` (the
 * pipeline helper) and `classSchema` (the fixed Arrow schema of a class); the rest is internal.
 */
export {
  type ConvertedFile,
  type ConvertLimits,
  type ConvertOptions,
  type ConvertSummary,
  convertOcsf,
  DEFAULT_LIMITS,
  type StagedParts,
} from "./convert.ts";
export { checkLocation, type LakeLocation, objectKey, partitionPrefix } from "./layout.ts";
export {
  type ClassSchema,
  classSchema,
  DEFAULT_OBJECT_DEPTH,
  defaultClassSchema,
  leafCount,
} from "./schema.ts";
