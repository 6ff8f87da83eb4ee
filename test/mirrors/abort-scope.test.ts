import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createAbortScope, whenAborted } from '../../src/mirrors/abort-scope.js';

describe('whenAborted', () => {
  it('watches a signal for many subscribers through one listener, in order, each once', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const unsubscribes = Array.from({ length: 300 }, (_, i) => whenAborted(controller.signal, () => calls.push(i)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unsubscribes[1]!();
    controller.abort();
    controller.abort();
    expect(calls).toEqual(Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 1));
  });

  it('a callback subscribed twice and unsubscribed once still runs once', () => {
    const controller = new AbortController();
    let runs = 0;
    const callback = (): void => void (runs += 1);
    const first = whenAborted(controller.signal, callback);
    whenAborted(controller.signal, callback);
    first();
    controller.abort();
    expect(runs).toBe(1);
  });
});

describe('createAbortScope', () => {
  it("aborts with the parent's reason, and a disposed scope no longer follows the parent", () => {
    const parent = new AbortController();
    const live = createAbortScope(parent.signal, 60_000, () => new Error('timeout'));
    const disposed = createAbortScope(parent.signal, 60_000, () => new Error('timeout'));
    disposed.dispose();
    parent.abort('stop');
    expect(live.signal.reason).toBe('stop');
    expect(live.timedOut()).toBe(false);
    expect(disposed.signal.aborted).toBe(false);
    live.dispose();
  });

  it('times out with its own reason', async () => {
    const scope = createAbortScope(undefined, 5, () => 'late');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(scope.signal.reason).toBe('late');
    expect(scope.timedOut()).toBe(true);
    scope.dispose();
  });
});
