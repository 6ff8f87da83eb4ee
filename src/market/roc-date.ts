/** ROC (Minguo) years count from 1912: ROC year 1 is 1912. */
const ROC_OFFSET = 1911;

/**
 * A compact ROC date (`yyyMMdd` or `yyMMdd`, e.g. `1150101`) as `YYYY-MM-DD`
 * (`2026-01-01`); null when it is not one or not a real day.
 */
export function rocDate(text: string): string | null {
  const match = /^(\d{2,3})(\d{2})(\d{2})$/.exec(text.trim());
  if (match === null) return null;
  const year = Number(match[1]) + ROC_OFFSET;
  const day = `${year}-${match[2]}-${match[3]}`;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? null : day;
}
