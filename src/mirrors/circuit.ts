/** When a mirror's circuit opens and for how long. */
export interface CircuitOptions {
  /** Failures in a row that open the circuit. */
  failures: number;
  /** Recent outcomes kept for the failure ratio; the ratio rule waits until the window is full. */
  window: number;
  /** Share of failures over a full window (0–1] that opens the circuit. */
  ratio: number;
  /** The first cool-down; each failed trial doubles it. */
  cooldownMs: number;
  /** The longest cool-down the doubling reaches. */
  maxCooldownMs: number;
}

/**
 * `closed` serves requests; `open` refuses them until `openUntil`; `half-open` (an open
 * circuit whose cool-down has passed) lets exactly one trial request through, and its
 * outcome decides.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** One mirror's breaker, as plain immutable data. */
export interface Circuit {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** The last `window` outcomes while closed, oldest first: true is a failure. */
  readonly recent: readonly boolean[];
  /** While open: when the cool-down ends (same clock as `now`). */
  readonly openUntil: number;
  /** The cool-down of the latest opening; the next failed trial doubles it. */
  readonly cooldownMs: number;
  /** Half-open only: the one trial request is out. */
  readonly trialInFlight: boolean;
  /** Times the circuit opened, for the summary. */
  readonly opens: number;
}

/**
 * How a finished request bears on the mirror's health. `neutral` is an answer about the
 * symbol rather than the mirror (a 404) or an attempt cut short by our own deadline.
 */
export type CircuitVerdict = 'success' | 'failure' | 'neutral';

/** One finished request, as the breaker sees it. */
export interface CircuitOutcome {
  verdict: CircuitVerdict;
  /** Whether this request was the half-open trial (see {@link startRequest}). */
  trial: boolean;
  /** Open now, for at least this long, whatever the counts say (a long Retry-After). */
  holdMs?: number | undefined;
}

/** A closed circuit with nothing recorded. */
export function createCircuit(options: CircuitOptions): Circuit {
  return { state: 'closed', consecutiveFailures: 0, recent: [], openUntil: -Infinity, cooldownMs: options.cooldownMs, trialInFlight: false, opens: 0 };
}

/** The circuit as of `now`: an open one whose cool-down has passed is half-open. */
export function advance(circuit: Circuit, now: number): Circuit {
  if (circuit.state !== 'open' || now < circuit.openUntil) return circuit;
  return { ...circuit, state: 'half-open', trialInFlight: false };
}

/** Whether a request may start now: closed, or half-open with its trial not yet out. */
export function canRequest(circuit: Circuit, now: number): boolean {
  const current = advance(circuit, now);
  return current.state === 'closed' || (current.state === 'half-open' && !current.trialInFlight);
}

/**
 * Marks a request as started. On a half-open circuit it is the trial, and no other request
 * may start until its outcome is recorded. Throws when {@link canRequest} says no.
 */
export function startRequest(circuit: Circuit, now: number): { circuit: Circuit; trial: boolean } {
  const current = advance(circuit, now);
  if (!canRequest(current, now)) throw new RangeError(`a request was started on a ${current.state} circuit`);
  if (current.state === 'closed') return { circuit: current, trial: false };
  return { circuit: { ...current, trialInFlight: true }, trial: true };
}

/**
 * Records a finished request. While closed, failures count towards the two opening rules;
 * on a half-open circuit only the trial decides (success closes it with a fresh record,
 * failure opens it again with the cool-down doubled, neutral leaves room for another trial).
 * Outcomes of requests that started before the circuit opened are ignored, except that a
 * `holdMs` still pushes the end of the cool-down out.
 */
export function recordOutcome(circuit: Circuit, now: number, outcome: CircuitOutcome, options: CircuitOptions): Circuit {
  let current = advance(circuit, now);
  if (outcome.trial && current.state === 'half-open') {
    current = { ...current, trialInFlight: false };
    if (outcome.verdict === 'success') return { ...createCircuit(options), opens: current.opens };
    if (outcome.verdict === 'failure') {
      return open(current, now, Math.min(options.maxCooldownMs, current.cooldownMs * 2), outcome.holdMs);
    }
    return current;
  }
  if (current.state !== 'closed') {
    if (outcome.verdict !== 'failure' || outcome.holdMs === undefined) return current;
    // A late request's long Retry-After: honour it without counting another opening.
    const until = Math.max(current.state === 'open' ? current.openUntil : now, now + outcome.holdMs);
    return { ...current, state: 'open', openUntil: until, trialInFlight: false };
  }
  if (outcome.verdict === 'neutral') return current;
  const failed = outcome.verdict === 'failure';
  const recent = [...current.recent, failed].slice(-options.window);
  const consecutiveFailures = failed ? current.consecutiveFailures + 1 : 0;
  const updated = { ...current, recent, consecutiveFailures };
  if (!failed) return updated;
  const failures = recent.filter(Boolean).length;
  const tripped =
    outcome.holdMs !== undefined ||
    consecutiveFailures >= options.failures ||
    (recent.length >= options.window && failures / recent.length >= options.ratio);
  return tripped ? open(updated, now, options.cooldownMs, outcome.holdMs) : updated;
}

function open(circuit: Circuit, now: number, cooldownMs: number, holdMs: number | undefined): Circuit {
  return {
    ...circuit,
    state: 'open',
    openUntil: now + Math.max(cooldownMs, holdMs ?? 0),
    cooldownMs,
    trialInFlight: false,
    consecutiveFailures: 0,
    recent: [],
    opens: circuit.opens + 1,
  };
}
