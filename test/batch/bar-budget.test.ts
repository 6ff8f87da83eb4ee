import { describe, expect, it } from 'vitest';
import { createBarBudget } from '../../src/batch/bar-budget.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('bar budget', () => {
  it('grants while the bars fit and queues the rest first come, first served', async () => {
    const budget = createBarBudget(100);
    const first = await budget.acquire(60);
    const granted: string[] = [];
    void budget.acquire(50).then((release) => granted.push('b') && release);
    void budget.acquire(10).then(() => granted.push('c'));
    await tick();
    // c would fit, but b asked first: no overtaking, so a large symbol is not starved.
    expect(granted).toEqual([]);
    expect(budget.held).toBe(60);
    first();
    await tick();
    expect(granted).toEqual(['b', 'c']);
    expect(budget.held).toBe(60);
  });

  it('grants a request larger than the budget once nothing else is held', async () => {
    const budget = createBarBudget(100);
    const small = await budget.acquire(10);
    let big = false;
    void budget.acquire(500).then(() => (big = true));
    await tick();
    expect(big).toBe(false);
    small();
    await tick();
    expect(big).toBe(true);
    expect(budget.held).toBe(500);
  });

  it('ignores a second release of the same grant', async () => {
    const budget = createBarBudget(100);
    const release = await budget.acquire(40);
    await budget.acquire(30);
    release();
    release();
    expect(budget.held).toBe(30);
  });
});
