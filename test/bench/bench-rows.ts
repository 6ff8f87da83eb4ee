import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BenchHistory } from './bench-history.js';

/** Rows as COPY text, one chunk per symbol, with the number of rows they hold. */
export interface RowSource {
  chunks(): Iterable<string>;
  readonly rows: number;
}

/**
 * The last `count` bars of every symbol's history, leaving out the `skipNewest` newest,
 * as the crawler stores them (mirror `m0`, quality `valid`).
 */
export function historyRows(symbols: readonly string[], historyOf: (symbol: string) => BenchHistory, count: number, skipNewest: number): RowSource {
  return {
    rows: symbols.length * count,
    *chunks() {
      for (const symbol of symbols) {
        const history = historyOf(symbol);
        const end = history.days.length - skipNewest;
        const lines: string[] = [];
        for (let i = Math.max(0, end - count); i < end; i += 1) {
          const day = (history.days[i] as string).replaceAll('/', '-');
          lines.push(`${symbol}\t${day}\t${history.open[i]}\t${history.high[i]}\t${history.low[i]}\t${history.close[i]}\t${history.volume[i]}\tm0\tvalid\n`);
        }
        yield lines.join('');
      }
    },
  };
}

/** COPYs the rows into `table` (crawler columns only); resolves with the rows copied. */
export async function copyRows(db: pg.Client, table: string, source: RowSource): Promise<number> {
  const columns = 'stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source, data_quality';
  const stream = db.query(copyFrom(`copy ${table} (${columns}) from stdin`));
  await pipeline(Readable.from(source.chunks()), stream);
  return Number(stream.rowCount);
}
