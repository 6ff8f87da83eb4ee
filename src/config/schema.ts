// A namespace import: `import { z }` keeps esbuild from leaving out the parts (and the ~70 locales) never used.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { OPTIONS, SETTING_KEYS, type OptionDeclaration, type OptionKey, type OptionValue, type SettingKey } from './options.js';
import { valueTypes } from './value-types.js';

export { envNameFor } from './options.js';

// zod/mini loads no locale, and a refused value's message reaches the user: without it, each would read "Invalid input".
z.config(en());

/** The settings' schema, built from their declarations (options.ts): each key's type and default. */
export const configSchema = z.object(
  Object.fromEntries(
    SETTING_KEYS.map((key) => {
      const declaration = OPTIONS[key] as OptionDeclaration;
      const type = declaration.type(valueTypes);
      // prefault: the default is read as any other value is (a text list becomes its list), and checked.
      return [key, declaration.default === undefined ? z.optional(type) : z.prefault(type, declaration.default)];
    }),
  ),
);

/** The effective settings: every setting with a default holds a value; the others may be unset. */
export type Config = {
  [K in SettingKey]: (typeof OPTIONS)[K] extends { default: unknown } ? OptionValue<K> : OptionValue<K> | undefined;
};
export type ConfigKey = SettingKey;

export const CONFIG_KEYS: readonly ConfigKey[] = SETTING_KEYS;

/** Keys whose values are never printed or logged as they are. */
export const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set(SETTING_KEYS.filter((key) => (OPTIONS[key] as OptionDeclaration).secret === true));

/** The schema of one option (a setting or a command's argument), for checking a value on its own. */
export function schemaOf(key: OptionKey): z.ZodMiniType {
  return (OPTIONS[key] as OptionDeclaration).type(valueTypes);
}

/** The settings as they are when nothing is given: every default. */
export function defaultConfig(): Config {
  return configSchema.parse({}) as Config;
}
