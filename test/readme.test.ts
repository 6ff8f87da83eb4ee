import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envNameFor, flagNameOf, OPTIONS, SETTING_KEYS, type OptionDeclaration } from '../src/config/options.js';
import { EXIT_CODES } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the README's configuration table: key, environment, flag, default. */
function configurationTable(): Array<{ key: string; env: string; flag: string; defaultText: string }> {
  const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [key, env, flag, defaultText] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      return { key: key!.replace(/`/g, ''), env: env!.replace(/`/g, ''), flag: flag!.replace(/`/g, ''), defaultText: defaultText! };
    });
}

describe('README', () => {
  it('lists exactly the declared settings, each with its environment variable, flag and default', () => {
    const rows = configurationTable();
    expect(rows.map((row) => row.key)).toEqual([...SETTING_KEYS]);
    for (const row of rows) {
      const key = row.key as (typeof SETTING_KEYS)[number];
      const declaration = OPTIONS[key] as OptionDeclaration;
      expect(row.env, key).toBe(envNameFor(key));
      expect(row.flag, key).toBe(flagNameOf(key) ?? '');
      const declared = declaration.defaultText ?? (declaration.default === undefined ? '—' : `\`${String(declaration.default)}\``);
      expect(row.defaultText, key).toBe(declared);
    }
  });

  it('documents every exit code', () => {
    for (const code of Object.values(EXIT_CODES)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
