import * as z from 'zod/mini';
import { legacyBatchResultSchema, type LegacyBatchResult } from './legacy-batch-result.js';

/**
 * The old batch document as the backend's consumers received it: its client's wrapper
 * (`CrawlerClient._batch_update_python`) around the batch result,
 * `{success, message, result, source}`. `source` was "python"; the CLI says "node" (same
 * key, same type: the value tells a reader which one answered).
 */
export const legacyBatchDocumentSchema = z.strictObject({
  success: z.boolean(),
  message: z.string(),
  result: legacyBatchResultSchema,
  source: z.enum(['python', 'node']),
});

export type LegacyBatchDocument = z.infer<typeof legacyBatchDocumentSchema>;

export interface LegacyBatchDocumentInput {
  /** False when any symbol failed or the run stopped early (as the default summary's `success`). */
  success: boolean;
  /** One line saying what the run did (the default summary's `message`). */
  message: string;
  result: LegacyBatchResult;
}

/** The old batch document (`update --shape legacy`), exactly the old keys in the old order. */
export function buildLegacyBatchDocument(input: LegacyBatchDocumentInput): LegacyBatchDocument {
  return { success: input.success, message: input.message, result: input.result, source: 'node' };
}
