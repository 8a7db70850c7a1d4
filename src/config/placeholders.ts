// Placeholders in a request's path or body: {name}, a letter or "_" first, then letters, digits or "_". Anything
// else in braces is literal text, so a JSON body such as {"id": {id}} has exactly one placeholder.
export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The distinct placeholder names in a text, in order of first appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[1]!))];
}
