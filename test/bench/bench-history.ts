import { fnv1a32 } from '../../src/batch/shard.js';
import { seeded } from '../support/seeded-random.js';

/**
 * The benchmark's market: deterministic weekday histories shaped like Taiwan stocks
 * (prices on TWSE ticks, volumes in lots), generated once into columns so that the
 * mirror farm and the database preload agree bar for bar.
 */
export interface BenchHistory {
  symbol: string;
  /** 'YYYY/MM/DD', oldest first. */
  days: string[];
  /** The values exactly as the mirrors print them. */
  open: string[];
  high: string[];
  low: string[];
  close: string[];
  volume: string[];
}

const DAY_MS = 86_400_000;

/** `count` 4-digit codes, spread over the code space like listed stocks. */
export function benchSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(1000 + i * 4).padStart(4, '0'));
}

/** The `count` weekdays ending at `lastDay` ('YYYY-MM-DD'), oldest first, as 'YYYY/MM/DD'. */
export function weekdaysEnding(lastDay: string, count: number): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${lastDay}T00:00:00Z`); days.length < count; t -= DAY_MS) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(t).toISOString().slice(0, 10).replaceAll('-', '/'));
  }
  return days.reverse();
}

/** A seeded random walk per symbol over `days`. */
export function benchHistory(symbol: string, days: readonly string[]): BenchHistory {
  const random = seeded(fnv1a32(symbol));
  const history: BenchHistory = { symbol, days: [...days], open: [], high: [], low: [], close: [], volume: [] };
  let price = 10 + random() * 600;
  for (let i = 0; i < days.length; i += 1) {
    const open = onTick(price * (1 + (random() - 0.5) * 0.02));
    const close = onTick(open * (1 + (random() - 0.5) * 0.04));
    const high = Math.max(open, close, onTick(Math.max(open, close) * (1 + random() * 0.01)));
    const low = Math.min(open, close, onTick(Math.min(open, close) * (1 - random() * 0.01)));
    history.open.push(String(open));
    history.high.push(String(high));
    history.low.push(String(low));
    history.close.push(String(close));
    history.volume.push(String(200 + Math.floor(random() * random() * 60_000)));
    price = close;
  }
  return history;
}

/** The six-section body of the last `count` bars. */
export function djbcdBody(history: BenchHistory, count: number): string {
  const from = Math.max(0, history.days.length - count);
  const section = (values: string[]): string => values.slice(from).join(',');
  return [history.days, history.open, history.high, history.low, history.close, history.volume].map(section).join(' ');
}

function onTick(price: number): number {
  const tick = price < 10 ? 0.01 : price < 50 ? 0.05 : price < 100 ? 0.1 : price < 500 ? 0.5 : price < 1000 ? 1 : 5;
  return Math.round(Math.round(price / tick) * tick * 100) / 100;
}
