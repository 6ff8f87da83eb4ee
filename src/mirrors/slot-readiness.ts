import { advance, canRequest } from './circuit.js';
import type { MirrorSlot } from './mirror-slot.js';

/** Whether `slot` may start a request at `now`: under `perMirror` in flight, its spacing gap passed, its circuit letting one through. */
export function isReady(slot: MirrorSlot, now: number, perMirror: number): boolean {
  return slot.inFlight < perMirror && slot.nextStartAt <= now && canRequest(slot.circuit, now);
}

/**
 * Of the `candidates` (slot indexes) ready at `now`, the one to use: fewest in flight,
 * then a closed circuit before a half-open trial (a trial is made when load needs it),
 * then longest idle, then the candidates' order. Undefined when none is ready.
 */
export function bestReadySlot(slots: readonly MirrorSlot[], candidates: readonly number[], now: number, perMirror: number): number | undefined {
  let best: { index: number; key: [number, number, number] } | undefined;
  for (const index of candidates) {
    const slot = slots[index]!;
    if (!isReady(slot, now, perMirror)) continue;
    const key: [number, number, number] = [slot.inFlight, slot.circuit.state === 'closed' ? 0 : 1, slot.lastStartAt];
    if (best === undefined || lexicallyLess(key, best.key)) best = { index, key };
  }
  return best?.index;
}

/** What decides when the waiters' prospects next change by themselves. */
export interface WakeInput {
  slots: readonly MirrorSlot[];
  /** Per slot, how many waiters could take it: a spacing gap matters only to those. */
  demand: readonly number[];
  /** Requests in flight over all slots. */
  inFlight: number;
  concurrency: number;
  perMirror: number;
  /** When a running outage exhausts the patience; undefined when no outage runs. */
  patienceEndsAt: number | undefined;
}

/**
 * The earliest moment after `now` something changes without a release: an open circuit's
 * cool-down ends, a wanted slot's spacing gap passes (while a request could start), or the
 * patience runs out. Infinity when nothing will.
 */
export function nextWakeAt(input: WakeInput, now: number): number {
  let wakeAt = Infinity;
  input.slots.forEach((slot, index) => {
    const circuit = advance(slot.circuit, now);
    if (circuit.state === 'open') {
      wakeAt = Math.min(wakeAt, circuit.openUntil);
    } else if (input.demand[index]! > 0 && input.inFlight < input.concurrency && slot.inFlight < input.perMirror && slot.nextStartAt > now) {
      wakeAt = Math.min(wakeAt, slot.nextStartAt);
    }
  });
  if (input.patienceEndsAt !== undefined) wakeAt = Math.min(wakeAt, input.patienceEndsAt);
  return wakeAt;
}

function lexicallyLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
