import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayScreen, runInPty } from '../../support/pty.js';

const SCRIPT = fileURLToPath(new URL('./terminal-pty-script.ts', import.meta.url));
// 40 symbols × 3 failed attempts, as the script logs them.
const ATTEMPT_FAILURES = 120;

describe('replayScreen', () => {
  it('replays text, carriage returns, line feeds, column moves and line clearing', () => {
    expect(replayScreen('abcdef\rXY\n\x1b[2Gq\x1b[0K\x1b[1A\x1b[5G\x1b[K\r\n\n')).toEqual(['XYcd', ' q']);
    expect(replayScreen('bar 1/3\x1b[1G\x1b[2Klog\r\n\x1b[1Gbar 2/3\x1b[0K')).toEqual(['log', 'bar 2/3']);
    expect(replayScreen('\x1b[?25l\x1b[1;31mred\x1b[0m\x1b[?25h\x1b7\r\nnext\x1b8!')).toEqual(['red!', 'next']);
    expect(replayScreen('one\r\ntwo\x1b[1A\x1b[1G\x1b[0J')).toEqual([]);
  });

  it('refuses bytes it does not understand', () => {
    expect(() => replayScreen('\x1b[3S')).toThrow(/unknown escape sequence/);
    expect(() => replayScreen('\x1bP')).toThrow(/unknown escape sequence/);
    expect(() => replayScreen('\x0e')).toThrow(/unknown control character/);
  });
});

describe('the terminal on a real pseudo-terminal', () => {
  it('keeps every log line above the bar, folds repeated attempt failures, and ends with the bar and the recap', async () => {
    const run = await runInPty([process.execPath, '--import', 'tsx', SCRIPT]);
    expect(run.code, run.output).toBe(0);
    const screen = replayScreen(run.output);

    // The bar is on one line only, never mixed with a log line.
    const barLines = screen.filter((line) => /\[[=-]+\]/.test(line) || line.includes('/40'));
    expect(barLines).toEqual([expect.stringMatching(/^update \[={30}\] 40\/40 \| [\d.]+ symbols\/s \| ETA 0s \| failed 4 \| skipped 5$/)]);

    // Every other line is a log line of its own, complete.
    const logLines = screen.slice(0, screen.indexOf(barLines[0]!));
    for (const line of logLines) expect(line).toMatch(/^\d\d:\d\d:\d\d (INFO |WARN |ERROR) \S/);
    for (let done = 5; done <= 40; done += 5) expect(logLines).toContainEqual(expect.stringMatching(new RegExp(`INFO  checkpoint ${done} done=${done}$`)));
    expect(logLines).toContainEqual(expect.stringMatching(/ERROR symbol failed symbol=1117 code=E_ALL_MIRRORS_FAILED$/));

    // Nothing folded is lost: printed attempts plus the folded counts are every attempt.
    const printed = logLines.filter((line) => / WARN {2}attempt failed symbol=\d+ broker=\w+ status=E_MIRROR_NETWORK code=E_MIRROR_NETWORK fault=\w+ ms=12 detail=socket hang up$/.test(line));
    const folded = logLines.map((line) => / WARN {2}attempt failed ×(\d+) in [\d.]+ s: (.*)$/.exec(line)).filter((match) => match !== null);
    expect(folded.length).toBeGreaterThan(0);
    for (const [, , perMirror] of folded) expect(perMirror).toMatch(/^(\w+ \d+ \((\w+ \d+(, )?)+\)(, )?)+$/);
    expect(printed.length + folded.reduce((sum, [, count]) => sum + Number(count), 0)).toBe(ATTEMPT_FAILURES);
    expect(printed.length).toBeLessThan(ATTEMPT_FAILURES / 2);
    expect(logLines.length).toBe(printed.length + folded.length + 8 + 1);

    // The end: the bar's final state, then the recap.
    expect(screen.slice(-4)).toEqual([
      barLines[0],
      'update: 31 stored, 5 skipped, 4 failed of 40 symbols in 1.5 s',
      'rows: 310 created, 2 updated',
      'worst mirror: kgi, 40 errors in 50 requests (timeout 14, http_5xx 13, reset 13)',
    ]);
  });
});
