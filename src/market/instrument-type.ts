import { UsageError } from '../errors.js';

/**
 * What an ISIN row lists, from its CFI code (ISO 10962): common shares `ES…`, ETFs `CE…`,
 * preferred shares `EP…`, depositary receipts (TDR) `ED…`, warrants `RW…`, debt `D…`;
 * ETNs by their section; anything else (REITs, beneficiary certificates…) is `other`.
 */
export const INSTRUMENT_TYPES = ['stock', 'etf', 'preferred', 'tdr', 'warrant', 'etn', 'bond', 'other'] as const;

export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

const BY_CFI: ReadonlyArray<[prefix: string, type: InstrumentType]> = [
  ['ES', 'stock'],
  ['EP', 'preferred'],
  ['CE', 'etf'],
  ['ED', 'tdr'],
  ['RW', 'warrant'],
  ['D', 'bond'],
];

// When a row has no CFI code, its section says what it is.
const BY_SECTION: ReadonlyArray<[pattern: RegExp, type: InstrumentType]> = [
  [/權證/, 'warrant'],
  [/特別股/, 'preferred'],
  [/存託憑證|TDR/i, 'tdr'],
  [/ETF/i, 'etf'],
  [/債/, 'bond'],
  [/股票/, 'stock'],
];

/**
 * The type of one ISIN row from its CFI code, falling back to its section name
 * (`股票`, `特別股`, `ETF`, `臺灣存託憑證(TDR)`, `上市認購(售)權證`, `ETN`…). ETNs are
 * told by their section first: their CFI codes are debt codes.
 */
export function instrumentTypeOf(cfi: string, section: string): InstrumentType {
  if (/ETN/i.test(section)) return 'etn';
  const code = cfi.trim().toUpperCase();
  for (const [prefix, type] of BY_CFI) if (code.startsWith(prefix)) return type;
  if (code === '') for (const [pattern, type] of BY_SECTION) if (pattern.test(section)) return type;
  return 'other';
}

/** Whether `text` names an instrument type. */
export function isInstrumentType(text: string): text is InstrumentType {
  return (INSTRUMENT_TYPES as readonly string[]).includes(text);
}

/**
 * Parses `symbolTypes` (`STOCK_CRAWLER_SYMBOL_TYPES`, a `--type` flag): comma-separated
 * type names, e.g. `stock,etf`; duplicates dropped, order kept.
 * @throws UsageError for an unknown name or an empty list.
 */
export function parseSymbolTypes(text: string): InstrumentType[] {
  const types: InstrumentType[] = [];
  for (const item of text.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '')) {
    if (!isInstrumentType(item)) {
      throw new UsageError(`unknown symbol type ${JSON.stringify(item.slice(0, 20))}: expected some of ${INSTRUMENT_TYPES.join(', ')}`);
    }
    if (!types.includes(item)) types.push(item);
  }
  if (types.length === 0) throw new UsageError(`no symbol type given: expected some of ${INSTRUMENT_TYPES.join(', ')}`);
  return types;
}
