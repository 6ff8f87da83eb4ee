import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from '../src/logger.js';

describe('createLogger', () => {
  it('writes pino JSON lines to the given sink and masks secrets', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', pretty: false, write: (line) => lines.push(line) });
    logger.info({ databaseUrl: 'postgres://u:s3cr3t-sentinel@h/db', symbol: '2330' }, 'hello');
    logger.debug('not at info');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 30, msg: 'hello', symbol: '2330', databaseUrl: '***' });
    expect(lines[0]).not.toContain('s3cr3t-sentinel');
  });

  it('formats lines for people when pretty', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', pretty: true, write: (line) => lines.push(line) });
    logger.warn({ symbol: '2330', attempts: 3 }, 'slow mirror');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN  slow mirror symbol=2330 attempts=3\n$/);
  });

  it('passes through a line that is not JSON', () => {
    expect(prettyLine('plain text\n')).toBe('plain text\n');
  });
});
