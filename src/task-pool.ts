/**
 * Runs `work` over `items` with at most `limit` running at once, pulling the next item
 * only when a slot frees, so memory is bounded by `limit` whatever the input size. The
 * items may come in as they are known (an async iterable): a free slot waits for the next.
 * Stops pulling (running ones finish) once `shouldStop()` turns true; returns how many
 * items were never started.
 */
export async function runPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
  shouldStop: () => boolean,
): Promise<{ notStarted: number }> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  let notStarted = 0;

  async function lane(): Promise<void> {
    for (let item = await iterator.next(); !item.done; item = await iterator.next()) {
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
