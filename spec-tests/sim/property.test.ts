import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Counterexample } from '../../src/explorer/index.ts';
import { explore, type Mutation, type Process, scenario, type ThreadBuilder } from '../../src/sim/index.ts';

/**
 * Random operation sequences on a small world — a parent P and a forked child C (both in memcg
 * A) sharing an anon page (0) and a swapped-out page (1, still in the swap cache), two free swap
 * slots, and optionally a mover that attaches P to memcg B with charge moving (eras '2022' and
 * '2023', the last kernels that had it) — each run under one random interleaving. The correct
 * model never violates an invariant in era 2022; in era 2023 only through the stat window of
 * v6.3's rmap (why-locks.mdx); the same generator finds violations when a mutation is switched on.
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

function runWorld(
  w: { threads: OpSpec[][]; move: boolean; seed: number },
  era: '2022' | '2023',
  mutate?: Mutation,
) {
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
    { mutate, era },
  );
  return explore(s, { strategy: 'random', runs: 1, seed: w.seed, minimize: false });
}

/** The label of v6.3–v6.12's stat update, a step of its own after rmap's mapcount transition. */
const V63_STAT_STEP = 'rmap: __lruvec_stat_mod_folio() after the mapcount transition';

/** The v6.3 window: a charge move switched a folio's memcg between a thread's rmap transition and its stat update. */
function v63Window(cx: Counterexample): boolean {
  const st = cx.steps;
  for (let j = 0; j < st.length; j++) {
    if (!st[j].label.startsWith(V63_STAT_STEP)) continue;
    let p = j - 1; // the transition: the same thread's step before
    while (p >= 0 && st[p].thread !== st[j].thread) p--;
    if (st.slice(p + 1, j).some((x) => x.label.startsWith('mem_cgroup_move_account: folio->memcg_data = to')))
      return true;
  }
  return false;
}

describe('random operation sequences (fast-check)', () => {
  test('10,000 random worlds under a random interleaving violate no invariant in the correct model (era 2022)', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const r = runWorld(w, '2022');
        if (r.verdict === 'breaks') throw new Error(r.counterexample?.text);
        expect(r.verdict).toBe('bounded'); // one sampled interleaving: never "holds"
      }),
      { numRuns: 10_000, seed: 20251122 },
    );
  });

  test('in era 2023 (v6.3–v6.12) the only violation is the stat window left by removing lock_page_memcg() from rmap', () => {
    // why-locks.mdx: the mover can switch a folio's memcg between rmap's mapcount transition and
    // its NR_ANON_MAPPED update; the stat then lands on the new memcg (I8 at rest). Nothing else.
    let windows = 0;
    fc.assert(
      fc.property(worldArb, (w) => {
        const r = runWorld(w, '2023');
        if (r.verdict !== 'breaks') return;
        const cx = r.counterexample!;
        if (!cx.assertion.startsWith('I8 mapped stats match mapped folios at rest') || !v63Window(cx))
          throw new Error(cx.text);
        windows++;
      }),
      { numRuns: 5_000, seed: 20251122 },
    );
    expect(windows).toBeGreaterThan(0); // and the sampled interleavings do reach it
  });

  test.each([
    ['free_swap_ignores_swapcount' as Mutation, '2022' as const],
    ['mapcount_based_reuse' as Mutation, '2022' as const],
    ['move_charge_without_trylock' as Mutation, '2023' as const],
  ])('the same generator finds a violation with %s', (mutate, era) => {
    let found: string | null = null;
    for (const w of fc.sample(worldArb, { numRuns: 3000, seed: 7 })) {
      const r = runWorld(w, era, mutate);
      // in era 2023, one the correct 2023 model does not have (not the v6.3 stat window)
      if (r.verdict === 'breaks' && !v63Window(r.counterexample!)) {
        found = r.counterexample!.assertion;
        break;
      }
    }
    expect(found).not.toBeNull();
  });
});
