import type { VerifyDocument } from '../verify/verify-document.js';

/** The verify document for people: one line per check and a few examples of what failed. */
export function verifyTable(document: VerifyDocument): string {
  const { completeness, agreement, against } = document.result;
  const lines = [
    row('completeness', `${completeness.up_to_date} of ${completeness.symbols} symbols up to date with ${completeness.last_session}`),
    row('', `${completeness.lagging.length} lagging${completeness.lagging.length > 0 ? `: ${completeness.lagging.slice(0, 10).join(', ')}${completeness.lagging.length > 10 ? ', …' : ''}` : ''}`),
    row('', `${completeness.gaps.days} missing days in ${completeness.gaps.symbols} symbols; ${completeness.closures.length} market closures`),
    ...completeness.gaps.examples.slice(0, 5).map((gap) => row('', `  gap ${gap.stock_code} ${gap.trade_date}`)),
  ];
  if (agreement !== null) {
    const final = agreement.after_repair ?? agreement;
    lines.push(
      row('agreement', `${final.pct} % of ${final.bars_compared} bars in ${agreement.symbols} symbols (at least ${document.result.min_agreement} %)`),
      row('', `${agreement.store_differs} store differs, ${agreement.mirrors_disagree} mirrors disagree, ${agreement.missing_in_store} missing in store, ${agreement.missing_on_mirrors} missing on mirrors`),
      row('', `${agreement.repaired} repaired, ${agreement.failed} not compared`),
    );
  }
  if (against !== null) {
    lines.push(
      row('against', `${against.pct} % of rows the same as ${against.target}`),
      row('', `${against.rows_both} on both sides, ${against.only_ours} only ours, ${against.only_theirs} only theirs, ${against.value_differences} differing`),
    );
  }
  const verdict = document.result.failed_checks.length === 0 ? (document.interrupted ? 'interrupted' : 'every check passed') : `failed: ${document.result.failed_checks.join(', ')}`;
  lines.push(row('verdict', `${verdict} (${(document.result.duration_ms / 1000).toFixed(1)} s)`));
  return `${lines.join('\n')}\n`;
}

function row(label: string, text: string): string {
  return `${label.padEnd(13)}${text}`;
}
