import { UsageError } from '../errors.js';

/** The two markets, spelled as the backend writes `stocks.market`: listed (TWSE) and OTC (TPEx). */
export const MARKETS = ['TSE', 'TPEx'] as const;

export type Market = (typeof MARKETS)[number];

/** Where one market's universe is read: the exchange's ISIN page of that market. */
export interface SymbolSource {
  market: Market;
  url: string;
}

/** `TSE` / `TPEx` in any letter case → the market; undefined for anything else. */
export function marketNamed(text: string): Market | undefined {
  const wanted = text.trim().toLowerCase();
  return MARKETS.find((market) => market.toLowerCase() === wanted);
}

/**
 * Parses `symbolSources` (`STOCK_CRAWLER_SYMBOL_SOURCES`): comma-separated `MARKET=URL`,
 * e.g. `TSE=https://…?strMode=2,TPEx=https://…?strMode=4`. Each market at most once; an
 * http(s) URL each. A market left out is not synced.
 * @throws UsageError naming the entry that cannot be used.
 */
export function parseSymbolSources(text: string): SymbolSource[] {
  const sources: SymbolSource[] = [];
  for (const entry of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const at = entry.indexOf('=');
    const market = at > 0 ? marketNamed(entry.slice(0, at)) : undefined;
    if (market === undefined) {
      throw new UsageError(`symbol source ${JSON.stringify(entry.slice(0, 40))}: expected MARKET=URL with MARKET one of ${MARKETS.join(', ')}`);
    }
    const url = entry.slice(at + 1).trim();
    if (!isHttpUrl(url)) throw new UsageError(`symbol source for ${market}: ${JSON.stringify(url.slice(0, 80))} is not an http(s) URL`);
    if (sources.some((source) => source.market === market)) throw new UsageError(`symbol source for ${market} given twice`);
    sources.push({ market, url });
  }
  if (sources.length === 0) throw new UsageError('no symbol source given: expected MARKET=URL[,MARKET=URL]');
  return sources;
}

/** Whether `text` is an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'http:' || protocol === 'https:';
}
