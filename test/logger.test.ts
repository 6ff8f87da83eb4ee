import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine, prettyRecord } from '../src/logger.js';

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

describe('prettyRecord', () => {
  it('formats a parsed record: UTC time, padded level, message, fields', () => {
    const time = Date.UTC(2026, 10, 25, 12, 0, 5);
    expect(prettyRecord({ level: 40, time, msg: 'attempt failed', broker: 'fubon', ms: 12, faults: { reset: 2 } })).toBe(
      '12:00:05 WARN  attempt failed broker=fubon ms=12 faults={"reset":2}\n',
    );
    expect(prettyRecord({ level: 30, time, msg: 'no fields' })).toBe('12:00:05 INFO  no fields\n');
  });

  it('keeps a record on one line: control characters in the message and string fields become spaces', () => {
    const line = prettyRecord({ level: 40, time: 0, msg: 'two\nlines', detail: '<html>\r\n\x1b[2Jbusy\u009b' });
    expect(line).toBe('00:00:00 WARN  two lines detail=<html>   [2Jbusy \n');
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
