import { fnv1a32 } from '../../src/batch/shard.js';
import { seeded } from './seeded-random.js';

/** One daily bar as the farm serves it (volume in lots). */
export interface FarmBar {
  day: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

// Histories start here by default; a fixed start means moving lastDay never changes an earlier bar.
export const FIRST_DAY = '2019-01-01';
const DAY_MS = 86_400_000;

/** Weekday bars from `firstDay` to `lastDay`, a seeded random walk per symbol (prices on TWSE ticks, volume in lots). */
export function generateHistory(symbol: string, lastDay: string, firstDay = FIRST_DAY): FarmBar[] {
  const random = seeded(fnv1a32(symbol));
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  let price = 20 + random() * 600;
  const bars: FarmBar[] = [];
  for (let t = Date.parse(`${firstDay}T00:00:00Z`); t <= end; t += DAY_MS) {
    const weekday = new Date(t).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const open = onTick(price * (1 + (random() - 0.5) * 0.02));
    const close = onTick(open * (1 + (random() - 0.5) * 0.04));
    const high = onTick(Math.max(open, close) * (1 + random() * 0.01));
    const low = onTick(Math.min(open, close) * (1 - random() * 0.01));
    bars.push({ day: new Date(t).toISOString().slice(0, 10), open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume: 1_000 + Math.floor(random() * 50_000) });
    price = close;
  }
  return bars;
}

function onTick(price: number): number {
  const tick = price < 10 ? 0.01 : price < 50 ? 0.05 : price < 100 ? 0.1 : price < 500 ? 0.5 : price < 1000 ? 1 : 5;
  return Math.round(Math.round(price / tick) * tick * 100) / 100;
}

/** Every price times `factor`, to the cent: an ex-dividend adjustment, or a mirror serving other numbers. */
export function scaleBar(bar: FarmBar, factor: number): FarmBar {
  const scale = (value: number): number => Math.round(value * factor * 100) / 100;
  return { ...bar, open: scale(bar.open), high: scale(bar.high), low: scale(bar.low), close: scale(bar.close) };
}

const SECTIONS: ReadonlyArray<(bar: FarmBar) => string | number> = [
  (bar) => bar.day.replaceAll('-', '/'),
  (bar) => bar.open,
  (bar) => bar.high,
  (bar) => bar.low,
  (bar) => bar.close,
  (bar) => bar.volume,
];

/** The six-section body the mirrors send; `without` leaves one section out (0 = dates … 5 = volumes). */
export function djbcd(bars: readonly FarmBar[], without?: number): string {
  if (bars.length === 0) return '';
  return SECTIONS.filter((_, index) => index !== without)
    .map((pick) => bars.map(pick).join(','))
    .join(' ');
}
