/** Runs async work one at a time per key; different keys run side by side. */
export type KeyedLock = <Result>(key: string, work: () => Promise<Result>) => Promise<Result>;

/** Creates a {@link KeyedLock}: work under a key waits for the previous work under it to settle. */
export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, work) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.then(work, work);
    const settled = current.catch(() => undefined);
    tails.set(key, settled);
    try {
      return await current;
    } finally {
      if (tails.get(key) === settled) tails.delete(key);
    }
  };
}
