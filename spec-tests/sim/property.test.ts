import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { explore, type Mutation, type Process, scenario, type ThreadBuilder } from '../../src/sim/index.ts';

/**
 * Random operation sequences on a small world — a parent P and a forked child C (both in memcg
 * A) sharing an anon page (0) and a swapped-out page (1, still in the swap cache), two free swap
 * slots, and optionally a mover that attaches P to memcg B with charge moving (era '2023', the
 * last kernels that had it) — each run under one random interleaving. The correct model never
 * violates an invariant; the same generator finds violations when a mutation is switched on.
 */
type OpSpec = { op: 'load' | 'store' | 'zap' | 'reclaim'; proc: 0 | 1; addr: 0 | 1; value: number };

const opArb: fc.Arbitrary<OpSpec> = fc.record({
  op: fc.constantFrom('load', 'store', 'zap', 'reclaim'),
  proc: fc.constantFrom(0, 1),
  addr: fc.constantFrom(0, 1),
  value: fc.integer({ min: 10, max: 99 }),
});
const worldArb = fc.record({
  threads: fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
  move: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

function apply(t: ThreadBuilder, procs: Process[], o: OpSpec): void {
  const p = procs[o.proc];
  if (o.op === 'load') t.load(p, o.addr);
  else if (o.op === 'store') t.store(p, o.addr, o.value);
  else if (o.op === 'zap') t.zap(p, [o.addr]);
  else t.reclaim(p, o.addr);
}

function runWorld(w: { threads: OpSpec[][]; move: boolean; seed: number }, mutate?: Mutation) {
  const s = scenario(
    'random world',
    (k) => {
      const A = k.memcg('A');
      const B = k.memcg('B');
      const P = k.process('P', { pages: 2, memcg: A });
      k.anonFolio(P, 0, { content: 1 });
      k.swapped(P, 1, { cached: true, written: false, content: 2 });
      const C = k.forked(P, 'C');
      k.swapSlot();
      k.swapSlot();
      w.threads.forEach((ops, i) => {
        k.thread(
          `T${i}`,
          (t) => {
            for (const o of ops) apply(t, [P, C], o);
          },
          { alloc: 6 },
        );
      });
      if (w.move) k.thread('mover', (t) => t.move_charge(P, B));
    },
    { mutate, era: '2023' },
  );
  return explore(s, { strategy: 'random', runs: 1, seed: w.seed, minimize: false });
}

describe('random operation sequences (fast-check)', () => {
  test('10,000 random worlds under a random interleaving violate no invariant in the correct model', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const r = runWorld(w);
        if (r.verdict === 'breaks') throw new Error(r.counterexample?.text);
        expect(r.verdict).toBe('bounded'); // one sampled interleaving: never "holds"
      }),
      { numRuns: 10_000, seed: 20251122 },
    );
  });

  test.each([
    ['free_swap_ignores_swapcount' as Mutation],
    ['mapcount_based_reuse' as Mutation],
    ['move_charge_without_trylock' as Mutation],
  ])('the same generator finds a violation with %s', (mutate) => {
    let found: string | null = null;
    for (const w of fc.sample(worldArb, { numRuns: 3000, seed: 7 })) {
      const r = runWorld(w, mutate);
      if (r.verdict === 'breaks') {
        found = r.counterexample!.assertion;
        break;
      }
    }
    expect(found).not.toBeNull();
  });
});
