/**
 * `part` of `whole` in percent, rounded to three decimals for people (99.95); 100 when
 * there is nothing to compare, since nothing was found to disagree.
 */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 100;
  return Math.round((part / whole) * 100_000) / 1000;
}

/**
 * Whether `part` of `whole` reaches `minPct` percent, decided on the exact counts rather
 * than the rounded figure (999 of 1,000 meets 99.9; 9,989 of 10,000 does not).
 */
export function meetsPercent(part: number, whole: number, minPct: number): boolean {
  if (whole <= 0) return true;
  // Integer counts against a decimal threshold: the slack absorbs 99.9 × 1000 = 99900.00000000001.
  return part * 100 + 1e-6 >= minPct * whole;
}
