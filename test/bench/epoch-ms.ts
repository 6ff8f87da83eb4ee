/** Epoch milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
