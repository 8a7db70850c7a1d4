// A job's flags, made from its option fields (src/options/): the flag definitions the parser reads and the
// usage prints (help and default from the field), and the parsed flags turned into the job's options. So a flag
// is added by adding a field with a `flag`, and its range, default and help are the library's.
import { fromText, type Field, type Fields } from '../options/index.js';
import type { FlagSpec, FlagSpecs } from './args.js';

const fmtDefault = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));

/** The flag definitions of these fields (those that have a flag), in their order. */
export function flagsOf(fields: Fields): FlagSpecs {
  const out: FlagSpecs = {};
  for (const f of Object.values(fields)) {
    if (!f.flag) continue;
    const spec: FlagSpec = {
      type: f.kind === 'bool' ? 'boolean' : 'string',
      help:
        'default' in f && f.default !== undefined ? `${f.help} (default ${fmtDefault(f.default)})` : f.help,
      ...(f.flag.short ? { short: f.flag.short } : {}),
      ...(f.flag.value ? { value: f.flag.value } : {}),
      ...(f.kind === 'texts' ? { multiple: true } : {}),
    };
    out[f.flag.name] = spec;
  }
  return out;
}

/** The parsed flags as the job's options, keyed as the library names them; a flag not given is left out. */
export function optionsFromFlags(
  fields: Fields,
  values: Record<string, string | string[] | boolean | undefined>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields) as Array<[string, Field]>) {
    const text = f.flag ? values[f.flag.name] : undefined;
    if (text !== undefined) out[key] = fromText(key, f, text);
  }
  return out;
}
