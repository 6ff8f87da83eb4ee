import * as z from 'zod/mini';
import { MAX_SHARDS, parseShard } from './shard-spec.js';
import { isKnownTimeZone } from '../clock.js';
import { UsageError } from '../errors.js';
import { parseSymbolTypes } from '../market/instrument-type.js';
import { parseSymbolSources } from '../market/market.js';
import { normaliseMirrors, parseMirrorList, type MirrorEntry } from '../mirrors/mirror-list.js';

/** What z.preprocess is in zod classic (zod/mini has none): the value as read, then the schema. */
function preprocess<T extends z.ZodMiniType>(read: (value: unknown) => unknown, schema: T) {
  return z.pipe(z.transform(read), schema);
}

/** A decimal number as people type it; what else a string holds (``, `0x10`, `5 ms`) is no number. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Numbers from flags, the environment and files. Not z.coerce: that reads an empty value
 * as 0, `0x10` as 16, `true` as 1 and `[5]` as 5; here those are refused as what they are.
 */
function decimal<T extends z.ZodMiniNumber>(schema: T) {
  return preprocess((value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    return DECIMAL.test(text) ? Number(text) : value;
  }, schema);
}

const bool = () =>
  preprocess((value) => {
    if (typeof value !== 'string') return value;
    const lowered = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(lowered)) return false;
    return value;
  }, z.boolean());

const mirrorEntry = z.union([z.string(), z.object({ name: z.optional(z.string()), url: z.string() })]);

/** A mirror list is checked with the configuration, so a bad one is refused by every command alike. */
function checkMirrors(value: string | MirrorEntry[], context: z.core.$RefinementCtx): void {
  try {
    if (typeof value === 'string') parseMirrorList(value);
    else normaliseMirrors(value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
  }
}

/** `postgres://…` or `postgresql://…` (or pg's `socket:` form): what the driver and the redaction of passwords understand. */
function isDatabaseUrl(text: string): boolean {
  return URL.canParse(text) && ['postgres:', 'postgresql:', 'socket:'].includes(new URL(text).protocol);
}

/** A list parsed by `parse`, whose UsageError becomes the value's issue. */
function parsedList<T>(parse: (text: string) => T) {
  return z.pipe(
    z.string(),
    z.transform((text: string, payload) => {
      try {
        return parse(text);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        // A transform of zod/mini has no addIssue; this is the issue it would add.
        payload.issues.push({ code: 'custom', message: error.message, input: text });
        return z.NEVER;
      }
    }),
  );
}

/** The shard rule of src/batch/shard.ts, as a refinement. */
function isShard(spec: string): boolean {
  try {
    parseShard(spec);
    return true;
  } catch {
    return false;
  }
}

/**
 * The value types options are declared with (see options.ts), each a zod schema that
 * reads what flags, the environment and config files give: text, or the value itself.
 */
export const valueTypes = {
  text: () => z.string().check(z.minLength(1)),
  flag: () => z.boolean(),
  bool,
  int: (min: number, max: number) => decimal(z.number().check(z.int(), z.minimum(min), z.maximum(max))),
  ratio: () => decimal(z.number().check(z.gt(0), z.maximum(1))),
  percent: () => decimal(z.number().check(z.minimum(0), z.maximum(100))),
  choice: <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values),
  databaseUrl: () =>
    z.string().check(z.minLength(1), z.refine(isDatabaseUrl, 'expected a postgres:// or postgresql:// URL, e.g. postgres://crawler@db:5432/stocks')),
  httpUrl: () => z.url(),
  mirrorList: () => z.union([z.string(), z.array(mirrorEntry)]).check(z.superRefine(checkMirrors)),
  series: () => z.string().check(z.regex(/^[A-Za-z0-9]{1,3}$/, 'one to three letters or digits')),
  clockTime: () => z.string().check(z.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'HH:MM')),
  timeZone: () => z.string().check(z.refine(isKnownTimeZone, 'unknown time zone')),
  symbolSources: () => parsedList(parseSymbolSources),
  symbolTypes: () => parsedList(parseSymbolTypes),
  shard: () => z.string().check(z.regex(/^\d+\/\d+$/, 'I/N, e.g. 0/4'), z.refine(isShard, `I/N with 0 ≤ I < N ≤ ${MAX_SHARDS} (I counts from 0), e.g. 0/4`)),
};

export type ValueTypes = typeof valueTypes;
