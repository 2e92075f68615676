import { describe, expect, test } from 'vitest';
import {
  filesystem,
  indexer,
  lastzero,
  philosophers,
  readers,
  traceCounts,
} from '../../src/explorer/classics.ts';
import { explore, type Model } from '../../src/explorer/index.ts';

/**
 * The exact Mazurkiewicz trace counts of explorer.md §2.4, validated there against Nidhugg and
 * Concuerror. An explorer that finds fewer is unsound; one that finds more is not reducing.
 */
const cases: Array<[string, (n: number) => Model, number[], (n: number) => number]> = [
  ['lastzero', lastzero, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], traceCounts.lastzero],
  ['readers', readers, [2, 4, 8], traceCounts.readers],
  ['indexer', indexer, [11, 12, 13, 14, 15], traceCounts.indexer],
  ['filesystem', filesystem, [13, 14, 15, 16, 17, 18, 19], traceCounts.filesystem],
  ['philosophers', philosophers, [2, 3, 4, 5, 6], traceCounts.philosophers],
];

describe.each(['optimal', 'source'] as const)('%s DPOR: exact trace counts', (strategy) => {
  for (const [name, make, ns, expected] of cases)
    test.each(ns)(`${name}(%i)`, (n) => {
      const r = explore(make(n), { strategy });
      expect(r.counts.traces).toBe(expected(n));
      expect(r.counts.complete + r.counts.deadlocked).toBe(expected(n));
      expect(r.exhaustive).toBe(true);
      expect(r.verdict).toBe('holds');
      if (strategy === 'optimal') {
        // explored / optimal: Optimal DPOR wastes nothing on these programs.
        expect(r.counts.executions / expected(n)).toBeLessThanOrEqual(1.1);
        expect(r.counts.sleepBlocked).toBe(0);
        expect(r.wakeupMisses).toBe(0);
      }
    });
});

test('philosophers: the one deadlocked trace is found and reported with its wait-for cycle', () => {
  const r = explore(philosophers(3), { strategy: 'optimal' });
  expect(r.counts.deadlocked).toBe(1);
  const strict = explore(philosophers(3, { allowDeadlock: false }));
  expect(strict.verdict).toBe('breaks');
  const cex = strict.checks.deadlock.counterexample!;
  expect(cex.message).toMatch(/P0 waits for fork\[1\] held by P1/);
  expect(cex.message).toMatch(/P2 waits for fork\[0\] held by P0/);
});

test('source-DPOR reproduces the published sleep-set-blocked counts (Concuerror lastzero(5): 64 + 33)', () => {
  const r = explore(lastzero(5), { strategy: 'source' });
  expect([r.counts.complete, r.counts.sleepBlocked]).toEqual([64, 33]);
  const r10 = explore(lastzero(10), { strategy: 'source' });
  expect([r10.counts.complete, r10.counts.sleepBlocked]).toEqual([3328, 16867]);
});

describe('naive enumeration agrees on small N', () => {
  // Naive counts (all maximal interleavings) from explorer.md §2.4.
  test.each([
    ['lastzero(1)', lastzero(1), 3, 2],
    ['lastzero(2)', lastzero(2), 35, 5],
    ['lastzero(3)', lastzero(3), 920, 12],
    ['readers(2)', readers(2), 6, 4],
    ['readers(4)', readers(4), 120, 16],
    ['philosophers(2)', philosophers(2), 6, 3],
    ['philosophers(3)', philosophers(3), 168, 7],
  ])('%s', (_name, model, naiveExecutions, traces) => {
    const naive = explore(model, { strategy: 'naive', countTraces: true });
    expect(naive.counts.executions).toBe(naiveExecutions);
    expect(naive.counts.traces).toBe(traces);
    for (const strategy of ['optimal', 'source'] as const) {
      const d = explore(model, { strategy });
      expect(d.counts.traces).toBe(traces);
      expect(d.finalStateHashes).toEqual(naive.finalStateHashes);
    }
  });
});
