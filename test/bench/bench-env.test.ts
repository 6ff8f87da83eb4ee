import { describe, expect, it } from 'vitest';
import { readBenchEnvironment, refusalLine } from './bench-env.js';

describe('readBenchEnvironment', () => {
  it('refuses the variables that would change the crawler, and passes none of them', () => {
    const env = { PATH: '/bin', STOCK_CRAWLER_PARSER_THREADS: '0', NODE_OPTIONS: '--max-old-space-size=96', JOB_COMPLETION_INDEX: '1', HOME: '/root' };
    const read = readBenchEnvironment(env, false);
    expect(read.refused).toEqual(['JOB_COMPLETION_INDEX', 'NODE_OPTIONS', 'STOCK_CRAWLER_PARSER_THREADS']);
    expect(read.passed).toEqual({});
    expect(refusalLine(read.refused)).toContain('JOB_COMPLETION_INDEX, NODE_OPTIONS, STOCK_CRAWLER_PARSER_THREADS are set');
  });

  it('with --pass-env passes them on and says the figures are not at the defaults', () => {
    const read = readBenchEnvironment({ STOCK_CRAWLER_CONCURRENCY: '4', PATH: '/bin' }, true);
    expect(read.refused).toEqual([]);
    expect(read.passed).toEqual({ STOCK_CRAWLER_CONCURRENCY: '4' });
    expect(read.notes.some((note) => note.includes('NOT at its defaults') && note.includes('STOCK_CRAWLER_CONCURRENCY'))).toBe(true);
  });

  it('never refuses or passes BROKER_URLS and DATABASE_URL, but says what becomes of them', () => {
    const read = readBenchEnvironment({ BROKER_URLS: 'http://x/', DATABASE_URL: 'postgres://a@b/c', STOCK_CRAWLER_: '' }, false);
    expect(read.refused).toEqual([]);
    expect(read.notes.join('\n')).toMatch(/BROKER_URLS is ignored/);
    expect(read.notes.join('\n')).toMatch(/DATABASE_URL is the admin connection/);
  });
});
