import type { BenchDocument } from './bench-document.js';
import { markdownTable } from './markdown-table.js';

/**
 * The document as Markdown tables for people (stderr): the headline (whole runs), the
 * request-window diagnostic, the embedded database, scale, memory and the targets.
 */
export function benchTables(doc: BenchDocument): string {
  const load = `load average ${doc.machine.load_average_start.join(' / ')} at start, ${doc.machine.load_average_end.join(' / ')} at end (shared machine, ${doc.machine.cpus} CPUs)`;
  const flags = [...doc.settings.launcher_flags, ...doc.settings.node_args].join(' ') || 'none';
  const sections = [`Node ${doc.machine.node} (flags: ${flags}); ${load}; the reported run of each scenario is the one with the median wall time of ${doc.settings.runs}.`];
  if (Object.keys(doc.settings.crawler_env).length > 0) sections.push(`NOT AT DEFAULTS: ${Object.keys(doc.settings.crawler_env).join(', ')} passed to the crawler.`);
  const server = Object.values(doc.scenarios);
  if (server.length > 0) {
    sections.push(
      '### Whole runs (spawn to exit)',
      markdownTable(
        ['scenario', 'symbols', 'wall s', 'symbols/s', 'req/s', 'of ideal', 'psql \\copy s', 'wall / copy', 'CPU ms/symbol', 'peak RSS MB', 'failed'],
        server.map(({ median: m }) => [m.scenario, m.symbols, m.wall_s, m.symbols_per_s, m.requests_per_s, m.of_ideal, m.copy_limit_s, m.wall_over_copy, m.cpu_ms_per_symbol, m.peak_rss_mb, m.failed]),
      ),
      '### Request window (diagnostic: first request at a mirror to the last answer)',
      markdownTable(
        ['scenario', 'to first request s', 'window s', 'after last answer s', 'window req/s', 'window of ideal', 'farm hold p50 ms', 'turnaround p50 / p95 ms'],
        server.map(({ median: m }) => {
          const w = m.request_window;
          return [m.scenario, w?.to_first_request_s, w?.window_s, w?.after_last_answer_s, w?.requests_per_s, w?.of_ideal, w?.farm_hold_p50_ms, w === null ? null : `${w.turnaround_p50_ms} / ${w.turnaround_p95_ms}`];
        }),
      ),
    );
  }
  if (doc.embedded !== null) sections.push('### Embedded database (PGlite, no DATABASE_URL)', embeddedTable(doc));
  if (doc.scale !== null) sections.push('### Scale (server database, raised limits)', scaleTable(doc), `chart: ${doc.scale.chart}`);
  if (doc.memory !== null) sections.push('### Where memory goes (MB)', memoryTable(doc));
  sections.push(
    '### Targets',
    markdownTable(
      ['target', 'limit', 'measured', 'met'],
      doc.targets.map((t) => [t.target, t.limit, t.measured, t.met === null ? 'not run' : t.met ? 'met' : 'NOT MET']),
    ),
  );
  return `${sections.join('\n\n')}\n`;
}

function embeddedTable(doc: BenchDocument): string {
  const e = doc.embedded as NonNullable<BenchDocument['embedded']>;
  const m = e.median;
  const rows = [
    ['create the data directory (once)', m.init.wall_s, null, null, m.init.peak_rss_mb, null, null],
    ['backfill', m.backfill.wall_s, m.backfill.cpu_ms_per_symbol, m.backfill.symbols_per_s, m.backfill.peak_rss_mb, m.disk_after_backfill_mb.total, m.disk_after_backfill_mb.wal],
    ['nightly, raised limits', m.nightly.wall_s, m.nightly.cpu_ms_per_symbol, m.nightly.symbols_per_s, m.nightly.peak_rss_mb, m.disk_after_nightly_mb.total, m.disk_after_nightly_mb.wal],
  ];
  const server = e.server_relation_mb;
  return [
    markdownTable([`${m.symbols} symbols`, 'wall s', 'CPU ms/symbol', 'symbols/s', 'peak RSS MB', 'on disk MB', 'of it WAL MB'], rows),
    `server database, same rows: stock_daily_data ${server?.total ?? '—'} MB (table ${server?.table ?? '—'}, indexes ${server?.indexes ?? '—'}); ` +
      `embedded backfill wall / server backfill wall ${e.ratios.backfill_wall_vs_server ?? '—'}; embedded on disk / server table + indexes ${e.ratios.disk_vs_server_relation ?? '—'}`,
  ].join('\n');
}

function scaleTable(doc: BenchDocument): string {
  const s = doc.scale as NonNullable<BenchDocument['scale']>;
  const table = markdownTable(
    ['symbols', 'backfill wall s', 'backfill ms/symbol', 'backfill peak RSS MB', 'nightly wall s', 'nightly ms/symbol', 'nightly peak RSS MB'],
    s.sizes.map((size) => [
      size.symbols,
      size.backfill.median.wall_s,
      size.backfill.median.wall_ms_per_symbol,
      size.backfill.median.peak_rss_mb,
      size.nightly.median.wall_s,
      size.nightly.median.wall_ms_per_symbol,
      size.nightly.median.peak_rss_mb,
    ]),
  );
  const r = s.ratios;
  return `${table}\n${r.larger} against ${r.smaller}: peak RSS backfill ×${r.backfill_rss}, nightly ×${r.nightly_rss}; wall per symbol backfill ×${r.backfill_wall_per_symbol}, nightly ×${r.nightly_wall_per_symbol}`;
}

function memoryTable(doc: BenchDocument): string {
  const memory = doc.memory as NonNullable<BenchDocument['memory']>;
  return markdownTable(
    ['scenario', 'peak RSS', 'probe run', 'bare node', 'CLI --version', 'node + code + db', 'parser worker', 'db client', 'buffers', 'native (wasm)', 'V8 heap', 'young gen', 'heap used', 'live heap', 'garbage', 'other', 'GCs major/minor'],
    memory.rows.map((r) => [
      r.scenario,
      r.peak_rss,
      r.probe_peak_rss,
      r.node,
      r.cli_version,
      r.node_code_db,
      r.parser_worker,
      r.database_client,
      r.buffers,
      r.native,
      r.heap_total,
      r.new_space,
      r.heap_used,
      r.live_heap,
      r.garbage,
      r.other,
      r.major_gcs === null ? null : `${r.major_gcs}/${r.minor_gcs}`,
    ]),
  );
}
