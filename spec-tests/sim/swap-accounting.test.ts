import { describe, expect, test } from 'vitest';
import {
  explore,
  type MemCgroup,
  type Mutation,
  type ScenarioBuilder,
  scenario,
  type ThreadBuilder,
  violated,
} from '../../src/sim/index.ts';

/**
 * Swap accounting per memcg (issue 11, item 4): cgroup v1 counts memory+swap in memsw, cgroup v2
 * counts swap in its own counter. A swapped-out page is charged to its entry (v1: memcg1_swapout
 * moves the memsw charge; v2: __mem_cgroup_try_charge_swap at folio_alloc_swap), a swapin charges
 * the new folio and, on v1, drops the entry's memsw duplicate (memcg1_swapin), and the slot's
 * free releases whatever swap charge is left (mem_cgroup_uncharge_swap). See memcontrol.ts and
 * memcontrol-v1.ts for the kernel functions read.
 */

interface Counters {
  memory: number;
  memsw: number;
  swap: number;
  memory_peak: number;
  swap_peak: number;
}

/** One process P (one page) in memcg X running `body` in one thread; the counters at rest. */
function run(
  v2: boolean,
  body: (t: ThreadBuilder, k: ScenarioBuilder, P: ReturnType<ScenarioBuilder['process']>) => void,
  opts: {
    mutate?: Mutation;
    guards?: boolean;
    setup?: (k: ScenarioBuilder, P: ReturnType<ScenarioBuilder['process']>) => void;
  } = {},
) {
  let at: Counters | null = null;
  const s = scenario(
    'swap accounting',
    (k) => {
      const X: MemCgroup = k.memcg('X', { v2 });
      const P = k.process('P', { pages: 1, memcg: X });
      k.swapSlot(); // the slot reclaim will take
      opts.setup?.(k, P);
      k.thread('P', (t) => body(t, k, P), { alloc: 2 });
      k.m.final('counters at rest (recorded)', () => {
        at = {
          memory: X.memory,
          memsw: X.memsw,
          swap: X.swap,
          memory_peak: X.memory_peak,
          swap_peak: X.swap_peak,
        };
        return true;
      });
    },
    { mutate: opts.mutate, guards: opts.guards },
  );
  const res = explore(s);
  return { res, at: at as Counters | null };
}

describe('cgroup v1 (memsw)', () => {
  test("the issue's minimal trace: fault, swap-out, swap-in ends at memsw 1, as the kernel's code does", () => {
    const trace = (t: ThreadBuilder, _k: ScenarioBuilder, P: ReturnType<ScenarioBuilder['process']>) =>
      t.store(P, 0, 1).reclaim(P, 0).load(P, 0);
    const { res, at } = run(false, trace);
    expect(res.verdict).toBe('holds');
    expect(res.counts.executions).toBe(1); // one thread: the sequential trace itself
    expect(at).toMatchObject({ memory: 1, memsw: 1 });

    // The model before this change never dropped the entry's memsw at swapin: 2.
    const mutated = run(false, trace, { mutate: 'memcg1_swapin_keeps_memsw', guards: false });
    expect(mutated.at).toMatchObject({ memory: 1, memsw: 2 });
    expect(mutated.res.verdict).toBe('breaks');
    expect(violated(mutated.res)).toEqual(['I6']);
  });

  test('swap-out moves the charge to the entry: memory 0, memsw 1; a write fault frees the swap cache, memsw stays 1', () => {
    const out = run(false, (t, _k, P) => t.store(P, 0, 1).reclaim(P, 0));
    expect(out.at).toMatchObject({ memory: 0, memsw: 1, memory_peak: 1 });
    const back = run(false, (t, _k, P) => t.store(P, 0, 1).reclaim(P, 0).store(P, 0, 2).load(P, 0));
    expect(back.res.verdict).toBe('holds');
    expect(back.at).toMatchObject({ memory: 1, memsw: 1 });
  });

  test("freeing a swapped-out slot (zap of the swap PTE) releases the entry's memsw charge", () => {
    const trace = (t: ThreadBuilder, _k: ScenarioBuilder, P: ReturnType<ScenarioBuilder['process']>) =>
      t.store(P, 0, 1).reclaim(P, 0).zap(P, [0]);
    const { res, at } = run(false, trace);
    expect(res.verdict).toBe('holds');
    expect(at).toMatchObject({ memory: 0, memsw: 0 });
    const mutated = run(false, trace, { mutate: 'swap_free_keeps_swap_charge', guards: false });
    expect(mutated.at).toMatchObject({ memory: 0, memsw: 1 });
    expect(violated(mutated.res)).toEqual(['I6']);
  });
});

describe('cgroup v2 (swap)', () => {
  test('swap-out charges memory.swap.current; swapin keeps it while the swap cache holds the slot; the free releases it', () => {
    const out = run(true, (t, _k, P) => t.store(P, 0, 1).reclaim(P, 0));
    expect(out.at).toEqual({ memory: 0, memsw: 0, swap: 1, memory_peak: 1, swap_peak: 1 });
    const read = run(true, (t, _k, P) => t.store(P, 0, 1).reclaim(P, 0).load(P, 0));
    expect(read.at).toMatchObject({ memory: 1, memsw: 0, swap: 1 });
    const trace = (t: ThreadBuilder, _k: ScenarioBuilder, P: ReturnType<ScenarioBuilder['process']>) =>
      t.store(P, 0, 1).reclaim(P, 0).load(P, 0).zap(P, [0]);
    const gone = run(true, trace);
    expect(gone.res.verdict).toBe('holds');
    expect(gone.at).toEqual({ memory: 0, memsw: 0, swap: 0, memory_peak: 1, swap_peak: 1 });
    const mutated = run(true, trace, { mutate: 'swap_free_keeps_swap_charge', guards: false });
    expect(mutated.at).toMatchObject({ memory: 0, swap: 1 });
    expect(violated(mutated.res)).toEqual(['I6']);
  });

  test('memcg1_swapin does nothing on cgroup v2: its mutation changes nothing', () => {
    const trace = (t: ThreadBuilder, _k: ScenarioBuilder, P: ReturnType<ScenarioBuilder['process']>) =>
      t.store(P, 0, 1).reclaim(P, 0).load(P, 0);
    expect(run(true, trace, { mutate: 'memcg1_swapin_keeps_memsw' }).res.verdict).toBe('holds');
  });

  test('a scenario cannot mix cgroup v1 and v2 memcgs', () => {
    expect(() =>
      explore(
        scenario('mixed', (k) => {
          k.memcg('A');
          k.memcg('B', { v2: true });
        }),
      ),
    ).toThrow(/system-wide/);
  });
});

describe('under races', () => {
  for (const [v2, synchronous] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])
    test(`cgroup ${v2 ? 'v2' : 'v1'}${synchronous ? ', SWP_SYNCHRONOUS_IO swapin' : ''}: a fault, a zap, a refault and reclaim on one entry keep every swap charge exact in every interleaving`, () => {
      const model = (mutate?: Mutation) =>
        scenario(
          'swap accounting race',
          (k) => {
            const X = k.memcg('X', { v2 });
            const P = k.process('P', { pages: 1, memcg: X });
            k.swapped(P, 0, { cached: false, written: true, content: 5, synchronous });
            k.thread('T1', (t) => t.load(P, 0), { alloc: 4 });
            k.thread('T2', (t) => t.zap(P, [0]).store(P, 0, 7).reclaim(P, 0), { alloc: 3 });
          },
          { mutate, guards: true },
        );
      const res = explore(model());
      expect(res.text).toMatch(/^holds: exhaustive/);
      // the I6 (swap) check is live here: without the release at the slot's free it fires
      expect(violated(explore(model('swap_free_keeps_swap_charge')))).toContain('I6');
    });
});
