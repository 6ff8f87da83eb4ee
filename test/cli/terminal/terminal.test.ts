import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildBatchSummary, emptyCounts } from '../../../src/batch/summary.js';
import { createTerminal, type TerminalOptions } from '../../../src/cli/terminal/terminal.js';
import { replayScreen } from '../../support/pty.js';
import { unlistedLegacyKeys } from '../../support/legacy-keys.js';

function memoryStream() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream: Object.assign(stream, { columns: 160 }), text: () => text };
}

function terminalOn(options: Partial<TerminalOptions> & { tty: boolean }) {
  const { stream, text } = memoryStream();
  const terminal = createTerminal({ stream, quiet: false, level: 'info', foldIntervalMs: 5_000, progressIntervalMs: 10_000, ...options });
  return { terminal, text };
}

const attemptFailed = { symbol: '2330', broker: 'fubon', status: 'E_MIRROR_NETWORK', code: 'E_MIRROR_NETWORK', fault: 'reset', ms: 12 };
const TIME = String.raw`\d\d:\d\d:\d\d`;
const ESC = '\x1b';

const summary = buildBatchSummary({
  runId: 'r',
  startedAtMs: 0,
  finishedAtMs: 2_000,
  total: 2,
  legacy: unlistedLegacyKeys(2),
  counts: { ...emptyCounts(), succeeded: 2, rows: { created: 20, updated: 0, unchanged: 0, rejected: 0 } },
  brokers: {},
  failures: [],
  interrupted: false,
  dryRun: false,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createTerminal off a terminal', () => {
  it('writes every log line as pino JSON, folds nothing, draws nothing and prints no recap', () => {
    const { terminal, text } = terminalOn({ tty: false });
    for (let i = 0; i < 5; i++) terminal.logger.warn(attemptFailed, 'attempt failed');
    terminal.logger.debug('below the level');
    terminal.logger.info({ databaseUrl: 'postgres://u:s3cr3t@h/db' }, 'opened');
    const progress = terminal.progress(10);
    progress.update({ done: 3, failed: 0, skipped: 0 });
    progress.stop();
    terminal.recap(summary);
    terminal.close();
    const lines = text().split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.msg)).toEqual([...Array<string>(5).fill('attempt failed'), 'opened']);
    expect(records[0]).toMatchObject({ level: 40, ...attemptFailed });
    expect(records[5]).toMatchObject({ databaseUrl: '***' });
    expect(text()).not.toContain('s3cr3t');
    expect(text()).not.toContain(ESC);
  });

  it('logs the periodic progress line through its logger', async () => {
    const { terminal, text } = terminalOn({ tty: false, progressIntervalMs: 10 });
    const progress = terminal.progress(10);
    progress.update({ done: 4, failed: 1, skipped: 2 });
    await vi.waitFor(() => expect(text()).toContain('"msg":"progress"'), { timeout: 2_000, interval: 5 });
    progress.stop();
    terminal.close();
    expect(JSON.parse(text().split('\n')[0]!)).toMatchObject({ level: 30, msg: 'progress', done: 4, total: 10, failed: 1, skipped: 2 });
  });
});

describe('createTerminal on a terminal', () => {
  it('prints a log line above the bar: clears the bar line, writes the line, redraws the bar below', () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const { terminal, text } = terminalOn({ tty: true });
    const progress = terminal.progress(10);
    const drawn = text();
    expect(drawn).toMatch(new RegExp(`^${ESC}\\[1G${ESC}\\[1Gupdate \\[-{30}\\] 0/10 \\| [^\\n]*${ESC}\\[0K$`));
    progress.update({ done: 3, failed: 0, skipped: 0 });
    terminal.logger.info({ symbol: '2330' }, 'symbol done');
    const after = text().slice(drawn.length);
    expect(after).toMatch(new RegExp(`^${ESC}\\[1G${ESC}\\[2K${TIME} INFO  symbol done symbol=2330\\n${ESC}\\[1Gupdate \\[={9}-{21}\\] 3/10 \\| [^\\n]*${ESC}\\[0K$`));
    progress.stop();
    terminal.close();
    expect(text().endsWith('\n')).toBe(true);
    expect(replayScreen(text(), { onlcr: true })).toEqual([
      expect.stringMatching(new RegExp(`^${TIME} INFO  symbol done symbol=2330$`)),
      expect.stringMatching(/^update \[={9}-{21}\] 3\/10 \| [\d.]+ symbols\/s \| ETA \S+ \| failed 0 \| skipped 0$/),
    ]);
    expect(stdout).not.toHaveBeenCalled();
  });

  it('keeps a log line whole and on one line whatever its text holds', () => {
    const { terminal, text } = terminalOn({ tty: true });
    const progress = terminal.progress(2);
    terminal.logger.warn({ detail: 'line one\r\nline two\x1b[2J' }, 'odd\rmessage');
    progress.stop();
    terminal.close();
    const screen = replayScreen(text(), { onlcr: true });
    expect(screen).toHaveLength(2);
    expect(screen[0]).toMatch(new RegExp(`^${TIME} WARN  odd message detail=line one  line two \\[2J$`));
  });

  it('folds repeated attempt failures and says the count when the window ends', async () => {
    let now = 1_000_000;
    const { terminal, text } = terminalOn({ tty: true, foldIntervalMs: 50, now: () => now });
    const progress = terminal.progress(10);
    for (const [broker, fault] of [['fubon', 'reset'], ['fubon', 'reset'], ['kgi', 'http_5xx'], ['fubon', 'timeout'], ['kgi', 'http_5xx']]) {
      terminal.logger.warn({ ...attemptFailed, broker, fault }, 'attempt failed');
    }
    terminal.logger.error({ ...attemptFailed }, 'attempt failed');
    terminal.logger.error({ ...attemptFailed }, 'attempt failed');
    // The window's end is told by the timer alone: no further line comes.
    now += 50;
    await vi.waitFor(() => expect(text()).toContain('×3'), { timeout: 2_000, interval: 5 });
    progress.update({ done: 10, failed: 0, skipped: 0 });
    progress.stop();
    terminal.close();
    const screen = replayScreen(text(), { onlcr: true });
    expect(screen.map((line) => line.replace(/^\d\d:\d\d:\d\d /, ''))).toEqual([
      'WARN  attempt failed symbol=2330 broker=fubon status=E_MIRROR_NETWORK code=E_MIRROR_NETWORK fault=reset ms=12',
      'WARN  attempt failed symbol=2330 broker=kgi status=E_MIRROR_NETWORK code=E_MIRROR_NETWORK fault=http_5xx ms=12',
      'ERROR attempt failed symbol=2330 broker=fubon status=E_MIRROR_NETWORK code=E_MIRROR_NETWORK fault=reset ms=12',
      'ERROR attempt failed symbol=2330 broker=fubon status=E_MIRROR_NETWORK code=E_MIRROR_NETWORK fault=reset ms=12',
      'WARN  attempt failed ×3 in 0.1 s: fubon 2 (reset 1, timeout 1), kgi 1 (http_5xx 1)',
      expect.stringMatching(/^update \[={30}\] 10\/10 /),
    ]);
  });

  it('says what is still folded when the bar stops, above its last state', () => {
    let now = 1_000_000;
    const { terminal, text } = terminalOn({ tty: true, foldIntervalMs: 60_000, now: () => now });
    const progress = terminal.progress(4);
    for (let i = 0; i < 4; i++) terminal.logger.warn(attemptFailed, 'attempt failed');
    now += 2_500;
    progress.update({ done: 4, failed: 0, skipped: 0 });
    progress.stop();
    const screen = replayScreen(text(), { onlcr: true });
    expect(screen.slice(1)).toEqual([expect.stringMatching(/ WARN {2}attempt failed ×3 in 2\.5 s: fubon 3 \(reset 3\)$/), expect.stringMatching(/^update .* 4\/4 /)]);
    // Said once: closing finds nothing left.
    terminal.close();
    expect(replayScreen(text(), { onlcr: true })).toEqual(screen);
  });

  it('close() says what is folded when no bar was shown; after it nothing folds', () => {
    const { terminal, text } = terminalOn({ tty: true, foldIntervalMs: 60_000 });
    terminal.logger.warn(attemptFailed, 'attempt failed');
    terminal.logger.warn(attemptFailed, 'attempt failed');
    terminal.close();
    terminal.close();
    terminal.logger.warn(attemptFailed, 'attempt failed');
    terminal.logger.warn(attemptFailed, 'attempt failed');
    const screen = replayScreen(text(), { onlcr: true }).map((line) => line.replace(/^\d\d:\d\d:\d\d /, ''));
    expect(screen).toHaveLength(4);
    expect(screen[1]).toMatch(/^WARN {2}attempt failed ×1 in [\d.]+ s: fubon 1 \(reset 1\)$/);
    expect(screen[2]).toBe(screen[0]);
    expect(screen[3]).toBe(screen[0]);
  });

  it('prints the recap for people, and never when quiet', () => {
    const { terminal, text } = terminalOn({ tty: true });
    terminal.recap(summary);
    expect(text()).toBe('update: 2 stored, 0 skipped, 0 failed of 2 symbols in 2.0 s\nrows: 20 created, 0 updated\n');
    const quiet = terminalOn({ tty: true, quiet: true, level: 'warn' });
    quiet.terminal.recap(summary);
    expect(quiet.text()).toBe('');
  });

  it('when quiet: no bar, lines for people', async () => {
    const { terminal, text } = terminalOn({ tty: true, quiet: true, level: 'warn', progressIntervalMs: 5 });
    const progress = terminal.progress(10);
    progress.update({ done: 4, failed: 0, skipped: 0 });
    terminal.logger.info('not at warn');
    terminal.logger.warn({ symbol: '2330' }, 'slow');
    await new Promise((resolve) => setTimeout(resolve, 30));
    progress.stop();
    terminal.close();
    expect(text()).toMatch(new RegExp(`^${TIME} WARN  slow symbol=2330\\n$`));
  });
});
