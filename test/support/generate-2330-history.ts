/**
 * Writes a realistic, deterministic 1,440-bar daily history for 2330 in the
 * six-section djbcd form to stdout. Run by hand; its output is committed as
 * fixtures/gregorian-6-sections.djbcd:
 *
 *     npx tsx test/support/generate-2330-history.ts > fixtures/gregorian-6-sections.djbcd
 *
 * Prices random-walk between 300 and 1000 on TWSE tick sizes; volumes are lots
 * between 10,000 and 80,000; weekdays only, ending on Friday 2025-11-21.
 */
import { seeded } from './seeded-random.js';

const BARS = 1440;
const LAST_DAY = Date.UTC(2025, 10, 21);
const DAY_MS = 86_400_000;

function tick(price: number): number {
  if (price < 500) return 0.5;
  if (price < 1000) return 1;
  return 5;
}

function toTick(price: number, round: (x: number) => number): number {
  const size = tick(price);
  return Number((round(price / size) * size).toFixed(1));
}

function weekdaysEndingAt(lastDay: number, count: number): string[] {
  const days: string[] = [];
  for (let t = lastDay; days.length < count; t -= DAY_MS) {
    const date = new Date(t);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    days.push(date.toISOString().slice(0, 10).replaceAll('-', '/'));
  }
  return days.reverse();
}

const random = seeded(2330);
const dates = weekdaysEndingAt(LAST_DAY, BARS);
const columns: string[][] = [dates, [], [], [], [], []];
let close = 480;
for (let i = 0; i < BARS; i++) {
  const open = toTick(close * (1 + (random() - 0.5) * 0.02), Math.round);
  let next = close * (1 + (random() - 0.5) * 0.05);
  if (next < 300 || next > 1000) next = close * (1 - (next - close) / close);
  const newClose = toTick(next, Math.round);
  const high = toTick(Math.max(open, newClose) * (1 + random() * 0.015), Math.ceil);
  const low = toTick(Math.min(open, newClose) * (1 - random() * 0.015), Math.floor);
  const volume = 10_000 + Math.floor(random() * 70_001);
  columns[1]!.push(String(open));
  columns[2]!.push(String(high));
  columns[3]!.push(String(low));
  columns[4]!.push(String(newClose));
  columns[5]!.push(String(volume));
  close = newClose;
}
process.stdout.write(columns.map((column) => column.join(',')).join(' '));
