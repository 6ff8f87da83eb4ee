/**
 * `size` symbols drawn at random without repetition (a partial Fisher–Yates shuffle over a
 * copy), returned sorted so that a report reads in a stable order; all of them when there
 * are no more than `size`. `random` returns [0, 1), e.g. Math.random.
 */
export function sampleSymbols(symbols: readonly string[], size: number, random: () => number): string[] {
  const pool = [...new Set(symbols)];
  const take = Math.max(0, Math.min(Math.floor(size), pool.length));
  for (let i = 0; i < take; i += 1) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, take).sort();
}
