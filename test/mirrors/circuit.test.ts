import { describe, expect, it } from 'vitest';
import { advance, canRequest, createCircuit, recordOutcome, startRequest } from '../../src/mirrors/circuit.js';
import type { Circuit, CircuitOptions, CircuitVerdict } from '../../src/mirrors/circuit.js';
import { circuitOptionsOf } from '../../src/mirrors/scheduler-options.js';
import { DEFAULT_SCHEDULER_OPTIONS } from '../support/defaults.js';

const options: CircuitOptions = circuitOptionsOf(DEFAULT_SCHEDULER_OPTIONS);
const S: CircuitVerdict = 'success';
const F: CircuitVerdict = 'failure';
const N: CircuitVerdict = 'neutral';

/** Records outcomes of ordinary (non-trial) requests, one per millisecond from `t0`. */
function feed(verdicts: readonly CircuitVerdict[], circuit = createCircuit(options), t0 = 0): Circuit {
  return verdicts.reduce((c, verdict, i) => recordOutcome(c, t0 + i, { verdict, trial: false }, options), circuit);
}

const repeat = <T,>(n: number, ...items: T[]): T[] => Array.from({ length: n }, () => items).flat();

/** Opens a circuit at t = 0 (five failures at 0–4 ms: openUntil = 4 + cooldown). */
const opened = (): Circuit => feed(repeat(5, F));

/** Runs the trial of a half-open circuit at `now` with the given verdict. */
function trial(circuit: Circuit, now: number, verdict: CircuitVerdict, holdMs?: number): Circuit {
  const started = startRequest(circuit, now);
  expect(started.trial).toBe(true);
  return recordOutcome(started.circuit, now, { verdict, trial: true, holdMs }, options);
}

describe('circuit: opening while closed', () => {
  it.each([
    { case: '4 failures in a row', verdicts: repeat(4, F), state: 'closed' },
    { case: '5 failures in a row', verdicts: repeat(5, F), state: 'open' },
    { case: '4 failures, a success, 4 failures', verdicts: [...repeat(4, F), S, ...repeat(4, F)], state: 'closed' },
    { case: 'neutral answers neither count nor reset', verdicts: [F, F, N, F, N, F, F], state: 'open' },
    { case: 'a 50 % ratio needs a full window: 1 of 2', verdicts: [S, F], state: 'closed' },
    { case: '9 failures in the last 20', verdicts: [...repeat(9, S, F), S, S], state: 'closed' },
    { case: '10 failures in the last 20 (alternating)', verdicts: repeat(10, S, F), state: 'open' },
    { case: 'only the last 20 count (17 of 31, 8 of the last 20)', verdicts: [...repeat(4, F, F, F, F, S), ...repeat(10, S), F], state: 'closed' },
    { case: '10 of 20 in pairs', verdicts: repeat(5, S, S, F, F), state: 'open' },
    { case: 'the ratio is only judged on a failure', verdicts: repeat(10, F, S), state: 'closed' },
    { case: 'many successes', verdicts: repeat(100, S), state: 'closed' },
  ])('$case → $state', ({ verdicts, state }) => {
    expect(feed(verdicts).state).toBe(state);
  });

  it('counts the opening and starts the base cool-down from the failure that tripped it', () => {
    const circuit = opened();
    expect(circuit).toMatchObject({ state: 'open', opens: 1, cooldownMs: 30_000, openUntil: 4 + 30_000 });
  });

  it('opens on a hold (a long Retry-After) at once, for at least as long as asked', () => {
    const long = recordOutcome(createCircuit(options), 100, { verdict: F, trial: false, holdMs: 120_000 }, options);
    expect(long).toMatchObject({ state: 'open', openUntil: 120_100, opens: 1 });
    const short = recordOutcome(createCircuit(options), 100, { verdict: F, trial: false, holdMs: 1_000 }, options);
    expect(short.openUntil).toBe(100 + 30_000);
  });
});

describe('circuit: open, half-open and the trial', () => {
  it('refuses requests until the cool-down has passed, then lets exactly one trial through', () => {
    const circuit = opened();
    const end = circuit.openUntil;
    expect(canRequest(circuit, end - 1)).toBe(false);
    expect(() => startRequest(circuit, end - 1)).toThrow(RangeError);
    expect(advance(circuit, end).state).toBe('half-open');
    expect(canRequest(circuit, end)).toBe(true);
    const started = startRequest(circuit, end);
    expect(started.trial).toBe(true);
    expect(canRequest(started.circuit, end + 1)).toBe(false);
  });

  it('a successful trial closes it with a fresh record and the base cool-down', () => {
    let circuit = opened();
    circuit = trial(circuit, circuit.openUntil, F);
    circuit = trial(circuit, circuit.openUntil, S);
    expect(circuit).toMatchObject({ state: 'closed', consecutiveFailures: 0, recent: [], cooldownMs: 30_000, opens: 2 });
    // The old failures are forgotten: it takes five new ones to open it again, for 30 s.
    const again = feed(repeat(5, F), circuit, 1e6);
    expect(again).toMatchObject({ state: 'open', cooldownMs: 30_000, opens: 3 });
    expect(feed(repeat(4, F), circuit, 1e6).state).toBe('closed');
  });

  it('a failed trial opens it again, doubling the cool-down up to the maximum', () => {
    let circuit = opened();
    const cooldowns: number[] = [circuit.cooldownMs];
    for (let i = 0; i < 6; i++) {
      const at: number = circuit.openUntil;
      circuit = trial(circuit, at, F);
      expect(circuit.openUntil).toBe(at + circuit.cooldownMs);
      cooldowns.push(circuit.cooldownMs);
    }
    expect(cooldowns).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
    expect(circuit.opens).toBe(7);
  });

  it('a failed trial with a long Retry-After stays open for that long', () => {
    const circuit = opened();
    const after = trial(circuit, circuit.openUntil, F, 600_000);
    expect(after.openUntil).toBe(circuit.openUntil + 600_000);
  });

  it('a neutral trial (a 404) decides nothing: another trial may go', () => {
    const circuit = opened();
    const after = trial(circuit, circuit.openUntil, N);
    expect(after.state).toBe('half-open');
    expect(canRequest(after, circuit.openUntil)).toBe(true);
    expect(after.opens).toBe(1);
  });

  it('ignores late outcomes of requests sent before it opened', () => {
    const circuit = opened();
    for (const verdict of [S, F, N]) {
      expect(recordOutcome(circuit, 10, { verdict, trial: false }, options)).toEqual(circuit);
    }
    // …and of one that ends while the trial is out.
    const started = startRequest(circuit, circuit.openUntil).circuit;
    expect(recordOutcome(started, circuit.openUntil + 1, { verdict: S, trial: false }, options)).toEqual(started);
  });

  it('a late long Retry-After pushes the end of the cool-down out without counting an opening', () => {
    const circuit = opened();
    const later = recordOutcome(circuit, 10, { verdict: F, trial: false, holdMs: 100_000 }, options);
    expect(later).toMatchObject({ state: 'open', openUntil: 100_010, opens: 1 });
    const shorter = recordOutcome(circuit, 10, { verdict: F, trial: false, holdMs: 1_000 }, options);
    expect(shorter.openUntil).toBe(circuit.openUntil);
  });

  it('never opens on successes or neutral answers, whatever their number', () => {
    const circuit = feed([...repeat(50, N), ...repeat(50, S)]);
    expect(circuit).toMatchObject({ state: 'closed', opens: 0 });
  });
});
