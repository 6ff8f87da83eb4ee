import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BenchHistory } from './bench-history.js';

/** Rows as COPY text, one chunk per symbol, with the number of rows they hold. */
export interface RowSource {
  chunks(): Iterable<string>;
  readonly rows: number;
}

/** The columns each COPY text line holds, in order. */
export const COPY_COLUMNS = 'stock_code, trade_date, open_price, high_price, low_price, close_price, volume, data_source, data_quality';

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

/** Writes the rows to `path` as COPY text (the file `\copy … from` reads); resolves with the rows written. */
export async function writeRowsFile(path: string, source: RowSource): Promise<number> {
  await pipeline(Readable.from(source.chunks()), createWriteStream(path));
  return source.rows;
}
