// Every job's options, stated once (fields: kind, range, default, help, flag), the check the library applies,
// and the layering of defaults, config file and flags.
export {
  badValue,
  byFlag,
  byKey,
  checkOptions,
  fromText,
  schemaOfFields,
  type CheckedOf,
  type Field,
  type Fields,
  type Naming,
  type OptionsOf,
} from './field.js';
export { COMMON } from './fields.js';
export { RUN_FIELDS, type CheckedRun, type RunSettings } from './run.js';
export { COMPARE_FIELDS, type CheckedCompare, type CompareSettings } from './compare.js';
export { consolidate } from './consolidate.js';
export { parseDuration, parseIntFlag, parseRate } from './units.js';
