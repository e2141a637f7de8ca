/**
 * Polls `condition` every 10 ms until it holds or `limitMs` passed; resolves with its last value. Tests wait on an
 * event they cannot subscribe to (a process gone, a counter reached) this way, then assert what they waited for.
 */
export async function until(condition: () => boolean, limitMs = 20_000): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < limitMs; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}
