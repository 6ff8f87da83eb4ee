import * as z from 'zod/mini';
import { legacyHistoryKeysSchema } from './legacy-history-page.js';

const value = z.nullable(z.number());

/** A stored bar as `history` prints it; `adjusted_close` is `close_price` (the stored prices are adjusted). */
const historyRowSchema = z.strictObject({
  stock_code: z.string(),
  trade_date: z.iso.date(),
  open_price: value,
  high_price: value,
  low_price: value,
  close_price: value,
  volume: value,
  adjusted_close: value,
});

/**
 * The default `history` document: the crawler's keys (`from`/`to` echo the range asked,
 * null for an open end) and the old endpoint's keys with their old meanings
 * (`total_records` counts the whole range; `pagination` pages it).
 */
export const historyDocumentSchema = z.strictObject({
  success: z.literal(true),
  message: z.string(),
  stock_code: z.string(),
  data: z.array(historyRowSchema),
  from: z.nullable(z.iso.date()),
  to: z.nullable(z.iso.date()),
  order: z.enum(['asc', 'desc']),
  limit: z.nullable(z.number().check(z.int(), z.positive())),
  source: z.literal('node'),
  ...legacyHistoryKeysSchema.shape,
});

export type HistoryDocument = z.infer<typeof historyDocumentSchema>;
