import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressReporter, formatEta, progressRates } from '../../../src/cli/terminal/progress.js';

function fakeLogger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, info: (obj: object, msg: string) => void lines.push({ obj: obj as Record<string, unknown>, msg }) };
}

function fakeStream(isTTY: boolean) {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  Object.assign(stream, { isTTY, columns: 200 });
  return { stream, text: () => text };
}

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('progressRates', () => {
  it.each<[string, { done: number; failed: number; skipped: number }, number, number, { rate: number; eta_s: number | null }]>([
    ['nothing yet', { done: 0, failed: 0, skipped: 0 }, 100, 5_000, { rate: 0, eta_s: null }],
    ['only skips so far', { done: 40, failed: 0, skipped: 40 }, 100, 5_000, { rate: 0, eta_s: null }],
    ['10 attempted in 2 s', { done: 10, failed: 1, skipped: 0 }, 100, 2_000, { rate: 5, eta_s: 18 }],
    ['skips do not inflate the rate', { done: 60, failed: 0, skipped: 50 }, 100, 2_000, { rate: 5, eta_s: 8 }],
    ['finished', { done: 100, failed: 0, skipped: 0 }, 100, 10_000, { rate: 10, eta_s: 0 }],
    ['all skipped and finished', { done: 100, failed: 0, skipped: 100 }, 100, 10, { rate: 0, eta_s: 0 }],
    ['no time elapsed', { done: 3, failed: 0, skipped: 0 }, 100, 0, { rate: 0, eta_s: null }],
  ])('%s', (_name, counts, total, elapsedMs, expected) => {
    expect(progressRates(counts, total, elapsedMs)).toEqual(expected);
  });
});

describe('formatEta', () => {
  it.each<[number | null, string]>([
    [null, '--'],
    [0, '0s'],
    [59, '59s'],
    [185, '3m05s'],
    [3_720, '1h02m'],
  ])('%s → %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });
});

describe('createProgressReporter without a terminal', () => {
  it.each<[string, boolean, boolean]>([
    ['not a TTY', false, false],
    ['--quiet on a TTY', true, true],
  ])('logs a progress line every interval (%s), and nothing on the stream', async (_name, tty, quiet) => {
    const logger = fakeLogger();
    const clock = fakeClock();
    const { stream, text } = fakeStream(tty);
    const reporter = createProgressReporter({ total: 100, tty, quiet, stream, logger, now: clock.now, intervalMs: 20 });
    clock.advance(4_000);
    reporter.update({ done: 30, failed: 2, skipped: 10 });
    await vi.waitFor(() => expect(logger.lines.length).toBeGreaterThanOrEqual(2), { timeout: 2_000, interval: 5 });
    reporter.stop();
    const seen = logger.lines.length;
    expect(logger.lines.every((line) => line.msg === 'progress')).toBe(true);
    expect(logger.lines.at(-1)?.obj).toEqual({ done: 30, total: 100, failed: 2, skipped: 10, rate: 5, eta_s: 14 });
    await sleep(80);
    expect(logger.lines.length).toBe(seen);
    expect(text()).toBe('');
  });

  it('logs nothing before the first interval and after stop', async () => {
    const logger = fakeLogger();
    const reporter = createProgressReporter({ total: 5, tty: false, quiet: false, stream: fakeStream(false).stream, logger, now: Date.now, intervalMs: 10_000 });
    reporter.update({ done: 5, failed: 0, skipped: 0 });
    reporter.stop();
    reporter.stop();
    await sleep(20);
    expect(logger.lines).toEqual([]);
  });

  it('logs one line per interval, on a timer that does not hold the process', () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const reporter = createProgressReporter({ total: 5, tty: false, quiet: false, stream: fakeStream(false).stream, logger: fakeLogger(), now: Date.now, intervalMs: 10_000 });
    expect(setIntervalSpy).toHaveBeenCalledWith(expect.any(Function), 10_000);
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    reporter.stop();
  });
});

describe('createProgressReporter on a terminal', () => {
  it('draws a cli-progress bar on the given stream, never on stdout, and stops cleanly', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const logger = fakeLogger();
    const clock = fakeClock();
    const { stream, text } = fakeStream(true);
    const reporter = createProgressReporter({ total: 10, tty: true, quiet: false, stream, logger, now: clock.now, intervalMs: 5 });
    expect(text()).toContain('0/10');
    clock.advance(10_000);
    reporter.update({ done: 7, failed: 1, skipped: 2 });
    reporter.stop();
    const shown = text();
    expect(shown).toMatch(/update \[[^\]]*\] 7\/10 \| 0\.5 symbols\/s \| ETA 6s \| failed 1 \| skipped 2/);
    expect(shown.endsWith('\n')).toBe(true);
    // Stopped: no redraws, no log lines, an update after stop is ignored.
    reporter.update({ done: 9, failed: 1, skipped: 2 });
    reporter.stop();
    await sleep(300);
    expect(text()).toBe(shown);
    expect(logger.lines).toEqual([]);
    expect(stdout).not.toHaveBeenCalled();
  });
});
