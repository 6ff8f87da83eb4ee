import type { Kysely } from 'kysely';
import { createInstrumentsRepository } from '../db/market/instruments-repository.js';
import { createSyncStateRepository } from '../db/market/sync-state-repository.js';
import { createStocksRepository } from '../db/stocks/stocks-repository.js';
import type { Logger } from '../logger.js';
import { decodePage } from './decode-page.js';
import type { InstrumentType } from './instrument-type.js';
import type { Market, SymbolSource } from './market.js';
import { parseIsinPage } from './parse-isin-page.js';
import { activeAfter, knownSymbols, planMarketSync, type MarketSyncPlan } from './plan-market-sync.js';
import { selectListings, type Selection } from './select-listings.js';
import type { FetchSource } from './source-client.js';
import type { SourceOutcome } from './sync-document.js';
import type { SourceRefusal } from './source-refusal.js';

/** What {@link syncSymbols} needs. */
export interface SyncSymbolsInput {
  db: Kysely<any>;
  fetchSource: FetchSource;
  sources: readonly SymbolSource[];
  types: readonly InstrumentType[];
  allowMassDelist: boolean;
  dryRun: boolean;
  /** The instant written as seen / synced. */
  now: Date;
  /** Today in the exchange's zone, `YYYY-MM-DD`: a delisting's date. */
  today: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/** What the universe half of a sync did. */
export interface SymbolsOutcome {
  outcomes: SourceOutcome[];
  /** The plans applied (or, in a dry run, that would be). */
  plans: MarketSyncPlan[];
  active: Record<Market, number>;
}

/**
 * Syncs the symbol universe: fetches every market's ISIN page at once, reads and checks
 * each, then applies each market that passes in a transaction of its own (the crawler's
 * instruments, `stocks`, and the sync state) — a refused market changes nothing and leaves
 * the others' syncs intact. A dry run reads and decides only.
 * @throws DatabaseUnavailableError and other database failures (fatal for the run).
 */
export async function syncSymbols(input: SyncSymbolsInput): Promise<SymbolsOutcome> {
  const { db, logger } = input;
  const answers = await Promise.all(input.sources.map((source) => input.fetchSource(source.url, input.signal)));
  const read = input.sources.map((source, index) => readSource(source, answers[index]!, input.types));

  const stocks = await createStocksRepository(db);
  const known = knownSymbols(await stocks.listings(), await createInstrumentsRepository(db).all());
  const lastGood = new Map((await createSyncStateRepository(db).all()).map((state) => [state.source, state.rowCount]));

  const outcomes: SourceOutcome[] = [];
  const plans: MarketSyncPlan[] = [];
  for (const [index, source] of input.sources.entries()) {
    const { selection, refusal } = read[index]!;
    let decided: SourceRefusal | null = refusal;
    if (selection !== null) {
      const decision = planMarketSync({
        market: source.market,
        selection,
        lastGoodRows: lastGood.get(source.market) ?? null,
        known,
        listedElsewhere: listedOnOtherPages(read, index),
        allowMassDelist: input.allowMassDelist,
      });
      if (decision.ok) plans.push(decision.plan);
      else decided = decision.refusal;
    }
    outcomes.push({ source: source.market, url: source.url, counts: selection?.counts ?? null, refusal: decided });
    if (decided === null) logger.info({ market: source.market, ...selection?.counts }, 'symbol source read');
    else logger.warn({ market: source.market, url: source.url, reason: decided.reason }, `symbol source refused: ${decided.message}`);
  }

  if (input.dryRun) {
    for (const plan of plans) logger.info({ market: plan.market, ...plan.counts }, 'symbol universe read (dry run: not stored)');
  } else {
    for (const plan of plans) await applyPlan(db, plan, input, outcomes);
    const state = createSyncStateRepository(db);
    for (const { source, url, refusal } of outcomes) {
      if (refusal !== null) await state.recordFailure(source, { url, error: `${refusal.reason}: ${refusal.message}` }, input.now);
    }
  }
  return { outcomes, plans, active: activeAfter(known, plans) };
}

/** One market's page, read and selected, or why it cannot be used. */
function readSource(
  source: SymbolSource,
  answer: Awaited<ReturnType<FetchSource>>,
  types: readonly InstrumentType[],
): { selection: Selection | null; refusal: SourceRefusal | null } {
  if (!answer.ok) return { selection: null, refusal: answer.refusal };
  const parsed = parseIsinPage(decodePage(answer.bytes, answer.charset));
  if (!parsed.ok) return { selection: null, refusal: parsed.refusal };
  return { selection: selectListings(parsed.page, source.market, types), refusal: null };
}

/** Every code the other pages of the run list (a symbol that moved market is not delisted from the old one). */
function listedOnOtherPages(read: ReadonlyArray<{ selection: Selection | null }>, index: number): Set<string> {
  const listed = new Set<string>();
  for (const [other, { selection }] of read.entries()) {
    if (other !== index && selection !== null) for (const code of selection.listed) listed.add(code);
  }
  return listed;
}

/** Writes one market's plan in one transaction: all of it or nothing. */
async function applyPlan(db: Kysely<any>, plan: MarketSyncPlan, input: SyncSymbolsInput, outcomes: readonly SourceOutcome[]): Promise<void> {
  const outcome = outcomes.find((candidate) => candidate.source === plan.market)!;
  await db.transaction().execute(async (trx) => {
    const instruments = createInstrumentsRepository(trx);
    const stocks = await createStocksRepository(trx);
    await instruments.upsert(plan.listings, input.now);
    await instruments.markDelisted(plan.delist, input.today);
    await stocks.applyListings(
      plan.listings.map((listing) => ({ code: listing.code, name: listing.name, market: listing.market, industry: listing.industry })),
    );
    await stocks.deactivate(plan.delist);
    await createSyncStateRepository(trx).recordSuccess(
      plan.market,
      { url: outcome.url, rowCount: outcome.counts?.rows ?? 0, keptCount: outcome.counts?.kept ?? 0 },
      input.now,
    );
  });
  input.logger.info({ market: plan.market, ...plan.counts }, 'symbol universe synced');
}
