import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, envNameFor } from '../src/config/schema.js';
import { EXIT_CODES } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration key with its environment name', () => {
    for (const key of CONFIG_KEYS) {
      expect(readme, key).toContain(`| \`${key}\` | \`${envNameFor(key)}\` |`);
    }
  });

  it('documents every exit code', () => {
    for (const code of Object.values(EXIT_CODES)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
