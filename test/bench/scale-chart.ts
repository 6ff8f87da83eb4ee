/** One size of the scale scenario, as charted: the median runs' whole-run figures. */
export interface ScalePoint {
  symbols: number;
  backfillWallS: number;
  nightlyWallS: number;
  backfillRssMb: number;
  nightlyRssMb: number;
}

const PANEL_W = 360;
const PANEL_H = 240;
const MARGIN = { left: 56, right: 28, top: 36, bottom: 44 };
const COLORS = { backfill: '#1f6feb', nightly: '#d97706' };

/**
 * A small SVG (no dependency: written by hand) of the scale scenario: wall time (s) and
 * peak RSS (MB) against the number of symbols, backfill and nightly, two panels side by
 * side. Axes start at 0 so that "flat" and "linear" read as they are.
 */
export function scaleChartSvg(points: readonly ScalePoint[], caption: string): string {
  const width = 2 * (MARGIN.left + PANEL_W + MARGIN.right);
  const height = MARGIN.top + PANEL_H + MARGIN.bottom + 24;
  const time = panel(points, 0, 'wall time, s', (p) => p.backfillWallS, (p) => p.nightlyWallS);
  const memory = panel(points, MARGIN.left + PANEL_W + MARGIN.right, 'peak RSS, MB', (p) => p.backfillRssMb, (p) => p.nightlyRssMb);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    time,
    memory,
    legend(width, height),
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" fill="#555">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function panel(points: readonly ScalePoint[], x0: number, title: string, backfill: (p: ScalePoint) => number, nightly: (p: ScalePoint) => number): string {
  const maxX = Math.max(...points.map((p) => p.symbols));
  const { top: maxY, step } = niceScale(Math.max(...points.flatMap((p) => [backfill(p), nightly(p)])));
  const left = x0 + MARGIN.left;
  const top = MARGIN.top;
  const x = (value: number): number => left + (value / maxX) * PANEL_W;
  const y = (value: number): number => top + PANEL_H - (value / maxY) * PANEL_H;
  const parts = [`<text x="${left + PANEL_W / 2}" y="${top - 14}" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`];
  for (let value = 0; value <= maxY + step / 2; value += step) {
    parts.push(`<line x1="${left}" y1="${fmt(y(value))}" x2="${left + PANEL_W}" y2="${fmt(y(value))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${left - 6}" y="${fmt(y(value) + 4)}" text-anchor="end">${label(value)}</text>`);
  }
  for (const p of points) parts.push(`<text x="${fmt(x(p.symbols))}" y="${top + PANEL_H + 16}" text-anchor="middle">${p.symbols.toLocaleString('en-US')}</text>`);
  parts.push(`<text x="${left + PANEL_W / 2}" y="${top + PANEL_H + 32}" text-anchor="middle" fill="#555">symbols</text>`);
  parts.push(`<line x1="${left}" y1="${top + PANEL_H}" x2="${left + PANEL_W}" y2="${top + PANEL_H}" stroke="#888"/>`);
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + PANEL_H}" stroke="#888"/>`);
  for (const [kind, valueOf] of [['backfill', backfill], ['nightly', nightly]] as const) {
    const coords = points.map((p) => `${fmt(x(p.symbols))},${fmt(y(valueOf(p)))}`);
    parts.push(`<polyline class="${kind}" fill="none" stroke="${COLORS[kind]}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const p of points) parts.push(`<circle cx="${fmt(x(p.symbols))}" cy="${fmt(y(valueOf(p)))}" r="3" fill="${COLORS[kind]}"/>`);
  }
  return `<g>\n${parts.join('\n')}\n</g>`;
}

function legend(width: number, height: number): string {
  const y = height - 26;
  return [
    `<rect x="${width / 2 - 90}" y="${y - 8}" width="14" height="4" fill="${COLORS.backfill}"/>`,
    `<text x="${width / 2 - 70}" y="${y - 2}">backfill</text>`,
    `<rect x="${width / 2 + 10}" y="${y - 8}" width="14" height="4" fill="${COLORS.nightly}"/>`,
    `<text x="${width / 2 + 30}" y="${y - 2}">nightly</text>`,
  ].join('\n');
}

/**
 * An axis from 0 to `top` in ticks of `step` (1, 2 or 5 × 10^k), at most 5 ticks above 0,
 * `top` the first tick at or above `max`.
 */
export function niceScale(max: number): { top: number; step: number } {
  const value = max > 0 ? max : 1;
  const power = 10 ** Math.floor(Math.log10(value / 5));
  const step = ([1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate * 5 >= value) ?? 10 * power) as number;
  return { top: Math.ceil(value / step - 1e-9) * step, step };
}

function label(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

function fmt(value: number): string {
  return value.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
