/** Non-blocking wait standing in for a slow downstream. */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
