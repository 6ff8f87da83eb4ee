import { readFile } from 'node:fs/promises';

/**
 * A JSON value's shape: objects as their keys in order with each value's shape, arrays
 * as the set of their elements' distinct shapes, everything else as its JSON type. Two
 * documents with equal shapes have the same key sets, recursively, and the same types.
 */
export function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${[...new Set(value.map(shapeOf))].sort().join(' | ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key}: ${shapeOf(item)}`)
      .join(', ')}}`;
  }
  return typeof value;
}

/** The keys of an object in order (for readable failures next to {@link shapeOf}). */
export function keysOf(value: unknown): string[] {
  return Object.keys(value as Record<string, unknown>);
}

/** A fixture of fixtures/legacy/, parsed. */
export async function legacyFixture(name: string): Promise<Record<string, unknown>> {
  const text = await readFile(new URL(`../../fixtures/legacy/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text) as Record<string, unknown>;
}

/** The document as a consumer receives it: through JSON, as the CLI prints it. */
export function throughJson<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}
