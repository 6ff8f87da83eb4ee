import type * as z from 'zod/mini';
import { COMMAND_OPTIONS } from './options-commands.js';
import { COMMON_OPTIONS } from './options-common.js';
import { CRAWL_OPTIONS } from './options-crawl.js';
import type { CommandName, OptionDeclaration } from './option-declaration.js';
import type { ValueTypes } from './value-types.js';

export { COMMAND_NAMES, type CommandName, type OptionDeclaration, type Scope } from './option-declaration.js';

/**
 * Every option of the CLI, declared once (see option-declaration.ts for what a declaration
 * holds), in the order help, `--print-config` and the README list them.
 */
export const OPTIONS = { ...COMMON_OPTIONS, ...COMMAND_OPTIONS, ...CRAWL_OPTIONS } satisfies Record<string, OptionDeclaration>;


export type OptionKey = keyof typeof OPTIONS;

/** The value an option holds once checked. */
export type OptionValue<K extends OptionKey> = (typeof OPTIONS)[K] extends { type: (t: ValueTypes) => infer T extends z.ZodMiniType }
  ? z.output<T>
  : never;

/** The keys of the settings, in declaration order. */
export type SettingKey = {
  [K in OptionKey]: (typeof OPTIONS)[K] extends { setting: true } ? K : never;
}[OptionKey];

export const SETTING_KEYS = (Object.keys(OPTIONS) as OptionKey[]).filter(
  (key): key is SettingKey => (OPTIONS[key] as OptionDeclaration).setting === true,
);

/** `connectTimeoutMs` → `STOCK_CRAWLER_CONNECT_TIMEOUT_MS`, unless the declaration names another. */
export function envNameFor(key: SettingKey): string {
  return (OPTIONS[key] as OptionDeclaration).env ?? `STOCK_CRAWLER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** The long flag of an option (`--concurrency`), or undefined when it has none. */
export function flagNameOf(key: OptionKey): string | undefined {
  const flag = (OPTIONS[key] as OptionDeclaration).flag;
  return flag === undefined ? undefined : /--[a-z0-9-]+/.exec(flag)?.[0];
}

/** Whether the command offers the option as a flag. */
export function offers(command: CommandName, key: OptionKey): boolean {
  const { flag, scope } = OPTIONS[key] as OptionDeclaration;
  if (flag === undefined || scope === undefined) return false;
  return scope === 'global' || scope.includes(command);
}
