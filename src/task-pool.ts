/**
 * Runs `work` over `items` with at most `limit` running at once, pulling the next item
 * only when a slot frees, so memory is bounded by `limit` whatever the input size.
 * Stops pulling (running ones finish) once `shouldStop()` turns true; returns how many
 * items were never started.
 */
export async function runPool<T>(
  items: Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
  shouldStop: () => boolean,
): Promise<{ notStarted: number }> {
  const iterator = items[Symbol.iterator]();
  let notStarted = 0;
  const next = (): IteratorResult<T> => iterator.next();

  async function lane(): Promise<void> {
    for (let item = next(); !item.done; item = next()) {
      if (shouldStop()) {
        notStarted += 1;
        continue;
      }
      await work(item.value);
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  return { notStarted };
}
