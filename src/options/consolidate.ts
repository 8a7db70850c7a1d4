// k6's layering: defaults, then the config file, then the command line; a layer's value replaces the one below
// it only where it is given (undefined leaves it), and lists are replaced whole, never merged.
export function consolidate<T extends object>(...layers: Array<Partial<T> | undefined>): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const layer of layers)
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}
