import pg from 'pg';
import type { FarmBar } from './mirror-farm.js';

/**
 * Every stored bar of the crawler's own stock_daily_data (trade_date a date), per symbol,
 * oldest first, in the farm's shape: compare it with what the mirrors serve.
 */
export async function storedBars(url: string): Promise<Map<string, FarmBar[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<FarmBar & { stock_code: string }>(
      `select stock_code, to_char(trade_date, 'YYYY-MM-DD') as day,
              open_price::float8 as open, high_price::float8 as high, low_price::float8 as low,
              close_price::float8 as close, volume::float8 as volume
       from stock_daily_data order by stock_code, trade_date`,
    );
    const bySymbol = new Map<string, FarmBar[]>();
    for (const { stock_code, ...bar } of rows) {
      const list = bySymbol.get(stock_code);
      if (list === undefined) bySymbol.set(stock_code, [bar]);
      else list.push(bar);
    }
    return bySymbol;
  } finally {
    await client.end();
  }
}

/**
 * The stored symbols that are not exactly `expected(symbol)`: a symbol is either whole or
 * absent, never a part of its history or a mix of two fetches.
 */
export function notWhole(stored: ReadonlyMap<string, FarmBar[]>, expected: (symbol: string) => FarmBar[]): string[] {
  const broken: string[] = [];
  for (const [symbol, bars] of stored) {
    if (JSON.stringify(bars) !== JSON.stringify(expected(symbol))) broken.push(symbol);
  }
  return broken;
}
