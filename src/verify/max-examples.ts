/** Examples a verify report lists at most, per check: enough to act on, few enough to read. */
export const MAX_EXAMPLES = 100;
