import { describe, expect, it, vi } from 'vitest';
import { onAbort } from '../src/on-abort.js';

describe('onAbort', () => {
  it('calls every listener still subscribed, once, when the signal aborts', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push('a'));
    const takeBack = onAbort(controller.signal, () => calls.push('b'));
    onAbort(controller.signal, () => calls.push('c'));
    takeBack();
    controller.abort(new Error('stop'));
    controller.abort(new Error('again'));
    expect(calls).toEqual(['a', 'c']);
  });

  it('puts one listener on the signal however many subscribe', () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    for (let i = 0; i < 50; i++) onAbort(controller.signal, () => {})();
    onAbort(controller.signal, () => {});
    expect(added).toHaveBeenCalledTimes(1);
  });

  it('keeps the signals apart', () => {
    const first = new AbortController();
    const second = new AbortController();
    const calls: string[] = [];
    onAbort(first.signal, () => calls.push('first'));
    onAbort(second.signal, () => calls.push('second'));
    second.abort();
    expect(calls).toEqual(['second']);
  });
});
