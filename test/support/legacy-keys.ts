import { buildLegacyBatchKeys, type LegacyBatchKeys } from '../../src/documents/legacy-batch-result.js';

/** A task id as a run has it: a UUID (the old service's task ids were integers; either is valid). */
export const TASK_ID = '9e9c2216-6c5f-4d1a-9a43-2b7d9c1f0e11';

/** The old service's batch keys of a run whose symbols are not listed (tests of other parts of a summary). */
export function unlistedLegacyKeys(totalStocks: number): LegacyBatchKeys {
  return buildLegacyBatchKeys({ taskId: TASK_ID, totalStocks, executionTimeSeconds: 0, timeZone: 'Asia/Taipei', stocks: [] }, { detailed: false });
}
