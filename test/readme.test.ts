import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, envNameFor, flagNameOf, OPTIONS, SETTING_KEYS, type OptionDeclaration, type OptionKey } from '../src/config/options.js';
import { batchSummarySchema } from '../src/documents/batch-summary.js';
import { fetchFailedSchema, fetchSkippedSchema, fetchStoredSchema } from '../src/documents/fetch-document-schema.js';
import { historyDocumentSchema } from '../src/documents/history-document.js';
import { EXIT_CODES } from '../src/errors.js';
import { METRIC } from '../src/metrics/metric-names.js';
import { FAULT_KINDS } from '../src/mirrors/fault-kind.js';
import { VERIFY_METRIC } from '../src/verify/verify-metrics.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const architecture = readFileSync(new URL('../ARCHITECTURE.md', import.meta.url), 'utf8');

/** The README's section under `## {title}`, up to the next `## `. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The rows of the README's configuration table: key, environment, flag, default. */
function configurationTable(): Array<{ key: string; env: string; flag: string; defaultText: string }> {
  return section('Configuration')
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [key, env, flag, defaultText] = line.split(' | ').map((cell) => cell.replace(/^\| /, '').trim());
      return { key: key!.replace(/`/g, ''), env: env!.replace(/`/g, ''), flag: flag!.replace(/`/g, ''), defaultText: defaultText! };
    });
}

/** Every key of a JSON document, nested objects and the objects of its lists included. */
function keysOf(value: unknown): Set<string> {
  const keys = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        keys.add(key);
        walk(child);
      }
    }
  };
  walk(value);
  return keys;
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

  it('lists every command in the commands table, and mentions every flag', () => {
    const commands = section('Commands');
    for (const name of COMMAND_NAMES) expect(commands, name).toContain(`| \`stock-crawler ${name}`);
    for (const key of Object.keys(OPTIONS) as OptionKey[]) {
      const flag = flagNameOf(key);
      if (flag !== undefined) expect(readme, key).toContain(`\`${flag}`);
    }
  });

  it('names every key of the old service’s documents and of the default ones in the documents section', () => {
    const documents = section('Documents');
    const legacyDir = new URL('../fixtures/legacy/', import.meta.url);
    const old = readdirSync(legacyDir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => [...keysOf(JSON.parse(readFileSync(new URL(name, legacyDir), 'utf8')))]);
    const own = [
      ...Object.keys(fetchStoredSchema.shape),
      ...Object.keys(fetchSkippedSchema.shape),
      ...Object.keys(fetchFailedSchema.shape),
      ...Object.keys(batchSummarySchema.shape),
      ...Object.keys(batchSummarySchema.shape.result.shape),
      ...Object.keys(historyDocumentSchema.shape),
    ];
    for (const key of new Set([...old, ...own])) expect(documents, key).toContain(`\`${key}\``);
  });

  it('names every mirror fault kind and every metric', () => {
    for (const kind of FAULT_KINDS) expect(section('The nightly batch'), kind).toContain(`\`${kind}\``);
    for (const name of [...Object.values(METRIC), ...Object.values(VERIFY_METRIC)]) expect(readme, name).toContain(name);
  });
});

describe('ARCHITECTURE.md', () => {
  it('names only files that exist', () => {
    const paths = [...architecture.matchAll(/`((?:src|bin)\/[^`\s]+)`/g)].map((match) => match[1]!);
    expect(paths.length).toBeGreaterThan(30);
    for (const path of paths) expect(existsSync(new URL(`../${path}`, import.meta.url)), path).toBe(true);
  });

  it('places every folder of src/ and names the owner of every table', () => {
    const folders = readdirSync(new URL('../src/', import.meta.url), { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const folder of folders) expect(architecture, folder.name).toContain(`\`${folder.name}/\``);
    const tables = ['stocks', 'stock_daily_data', 'crawl_runs', 'task_execution_logs', 'market_instruments', 'market_holidays', 'market_sync_state'];
    for (const table of tables) expect(architecture, table).toMatch(new RegExp(`^\\| \`${table}\` \\|`, 'm'));
  });
});
