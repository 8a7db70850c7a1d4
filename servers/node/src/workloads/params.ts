/**
 * Query-parameter validation shared by every Node stack. Only plain decimal digits are accepted, so "foo",
 * "-1", "1.5" and "" are all rejected the same way on every framework (whatever its query parser returns).
 */

const DIGITS = /^[0-9]+$/;

/** Returns the integer value, or an error message for a 400 answer. */
export function intParam(
  raw: unknown,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number | string {
  if (raw === undefined || raw === null) return fallback;
  const message = `${name} must be an integer ${min}..${max}`;
  // Repeated parameters arrive as arrays from some parsers: refuse rather than guess which one counts.
  if (typeof raw !== 'string' || !DIGITS.test(raw)) return message;
  const value = Number(raw);
  if (value < min || value > max) return message;
  return value;
}

/**
 * Reads one parameter from a raw query string ("a=1&b=2"): undefined when absent, an array when repeated
 * (as the frameworks' parsers give it, so intParam refuses it the same way on every stack).
 */
export function queryValue(query: string, name: string): string | string[] | undefined {
  if (query === '') return undefined;
  const values = new URLSearchParams(query).getAll(name);
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}
