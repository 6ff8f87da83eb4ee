import { agreementPasses, type AgreementReport } from './agreement-report.js';
import { againstPasses, type AgainstReport } from './check-against.js';
import { completenessPasses, type CompletenessReport } from './check-completeness.js';

/** The checks verify runs; a failed one makes the exit code 1. */
export type CheckName = 'completeness' | 'agreement' | 'against';

/** What `stock-crawler verify` prints: one JSON document. */
export interface VerifyDocument {
  /** Every check passed (and the run was not interrupted). */
  success: boolean;
  message: string;
  /** crawl_runs.id of this run. */
  run_id: string;
  result: {
    completeness: CompletenessReport;
    /** Null when no mirror was asked (an empty sample). */
    agreement: AgreementReport | null;
    /** Null without `--against`. */
    against: AgainstReport | null;
    /** The checks that failed, in this order: completeness, agreement, against. */
    failed_checks: CheckName[];
    /** The threshold agreement and against were held to, in percent. */
    min_agreement: number;
    duration_ms: number;
  };
  updated_at: string;
  source: 'node';
  /** A signal stopped the run before every symbol was checked. */
  interrupted: boolean;
}

/** The parts of a finished run. */
export interface VerifyFindings {
  runId: string;
  completeness: CompletenessReport;
  agreement: AgreementReport | null;
  against: AgainstReport | null;
  minAgreement: number;
  durationMs: number;
  finishedAtMs: number;
  interrupted: boolean;
}

/** Which checks failed: gaps or lagging symbols; agreement below the threshold or a symbol not compared; against below it. */
export function failedChecks(findings: Pick<VerifyFindings, 'completeness' | 'agreement' | 'against' | 'minAgreement'>): CheckName[] {
  const failed: CheckName[] = [];
  if (!completenessPasses(findings.completeness)) failed.push('completeness');
  if (findings.agreement !== null && !agreementPasses(findings.agreement, findings.minAgreement)) failed.push('agreement');
  if (findings.against !== null && !againstPasses(findings.against, findings.minAgreement)) failed.push('against');
  return failed;
}

/** Builds the document; pure. */
export function verifyDocument(findings: VerifyFindings): VerifyDocument {
  const failed = failedChecks(findings);
  const parts = [completenessLine(findings.completeness)];
  if (findings.agreement !== null) parts.push(agreementLine(findings.agreement));
  if (findings.against !== null) parts.push(againstLine(findings.against));
  const verdict = findings.interrupted
    ? 'interrupted'
    : failed.length === 0
      ? 'every check passed'
      : `failed: ${failed.join(', ')}`;
  return {
    success: failed.length === 0 && !findings.interrupted,
    message: `${parts.join('; ')} — ${verdict}`,
    run_id: findings.runId,
    result: {
      completeness: findings.completeness,
      agreement: findings.agreement,
      against: findings.against,
      failed_checks: failed,
      min_agreement: findings.minAgreement,
      duration_ms: Math.round(findings.durationMs),
    },
    updated_at: new Date(findings.finishedAtMs).toISOString(),
    source: 'node',
    interrupted: findings.interrupted,
  };
}

function completenessLine(report: CompletenessReport): string {
  const closures = report.closures.length === 0 ? '' : `, ${report.closures.length} ${plural(report.closures.length, 'closure')}`;
  return (
    `completeness: ${report.up_to_date} of ${report.symbols} symbols up to date with ${report.last_session}, ` +
    `${report.gaps.days} missing ${plural(report.gaps.days, 'day')} in ${report.gaps.symbols} ${plural(report.gaps.symbols, 'symbol')}${closures}`
  );
}

function agreementLine(report: AgreementReport): string {
  const final = report.after_repair ?? report;
  const repaired = report.repaired > 0 ? `, ${report.repaired} repaired` : '';
  const failed = report.failed > 0 ? `, ${report.failed} not compared` : '';
  return (
    `agreement: ${final.pct} % of ${final.bars_compared} bars in ${report.symbols} ${plural(report.symbols, 'symbol')} ` +
    `(${report.store_differs} store_differs, ${report.mirrors_disagree} mirrors_disagree, ${report.missing_in_store} missing_in_store, ` +
    `${report.missing_on_mirrors} missing_on_mirrors${repaired}${failed})`
  );
}

function againstLine(report: AgainstReport): string {
  const rows = report.rows_both + report.only_ours + report.only_theirs;
  return (
    `against: ${report.pct} % of ${rows} rows in ${report.symbols} ${plural(report.symbols, 'symbol')} ` +
    `(${report.only_ours} only ours, ${report.only_theirs} only theirs, ${report.value_differences} differing)`
  );
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}
