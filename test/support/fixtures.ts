import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/', import.meta.url);

/** The bytes of a file in the repository's fixtures/ folder, e.g. `readFixture('empty.djbcd')`. */
export function readFixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}
