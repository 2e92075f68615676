import { explore } from '../explorer/index.ts';
import type { Folio } from '../sim/objects/folio.ts';
import type { MemCgroup } from '../sim/objects/mem_cgroup.ts';
import { migrate_pages } from '../sim/ops/migrate.ts';
import { type Process, type ScenarioBuilder, scenario, type ThreadBuilder } from '../sim/scenario.ts';
import type { SiteId } from '../sim/sites.ts';
import type { Mutation } from '../sim/variants.ts';
import type { SelftestCase, SelftestOutcome } from './case.ts';

/**
 * tools/testing/selftests/cgroup/test_memcontrol.c, the parts the model can express, read at
 * linux-mm/linux-mm 0327372bcd3d (the test list: test_memcg_subtree_control … _inotify_delete_dir).
 * The test runs on cgroup v2 only (cg_find_unified_root, else "cgroup v2 isn't mounted"), so the
 * ports use v2 memcgs: memory.current / memory.peak are the memory counter and its watermark,
 * memory.swap.current / memory.swap.peak the swap counter and its watermark, memory.stat "anon"
 * NR_ANON_MAPPED. Sizes are scaled: one page of the model stands for 10M of the test (50M → 5
 * pages), and values_close(a, b, err) keeps its meaning (|a − b| ≤ (a + b)·err/100).
 *
 * Ported (each case names the kernel's function, as ksft prints it):
 * - test_memcg_current_peak — its anonymous half (alloc_anon_50M_check, memory.peak after exit,
 *   the fd-local peak reset reading the usage after exit);
 * - test_memcg_swap_max_peak — its swap accounting: swap.current / swap.peak at creation, the
 *   second phase (alloc_anon_50M_check_swap: memory.current ≈ memory.max, memory.current +
 *   swap.current ≈ 50M) and the fd-local resets after the process is gone.
 *
 * Not expressible, and why:
 * - test_memcg_subtree_control, test_memcg_inotify_delete_file, test_memcg_inotify_delete_dir:
 *   cgroupfs itself (cgroup.controllers, subtree_control, inotify on control files): no mm state.
 * - test_memcg_min, test_memcg_low, test_memcg_high, test_memcg_high_sync, test_memcg_max,
 *   test_memcg_oom_events, the three test_memcg_oom_group_*_events, and the OOM phase of
 *   test_memcg_swap_max_peak: the model has no limits (memory.min/low/high/max, swap.max),
 *   hence no limit-driven reclaim, throttling, OOM killer or memory.events.
 * - the page-cache half of test_memcg_current_peak (alloc_pagecache_50M_check): the model has no
 *   read()/page-cache allocation path, only page-cache folios made at setup.
 * - test_memcg_reclaim: memory.reclaim of anonymous memory is expressible (shrink_folio_list
 *   over the memcg's folios), but no buggy variant of the model changes its outcome, so a port
 *   could not fail; its page-cache half needs page-cache reclaim, which the model lacks.
 * - test_memcg_sock, test_memcg_high_work, test_memcg_high_work_cpu_max: socket memory and the
 *   memory.high work item are not modelled.
 * - the memory.peak fds themselves (open, write to reset, close, the peaks list): the ports read
 *   the value a reset fd would show (the usage at the reset, or a higher watermark after it).
 */

const SOURCE = 'tools/testing/selftests/cgroup/test_memcontrol.c';
/** Pages standing for 50M. */
const SIZE = 5;

/** values_close() of cgroup_util.c: "abs(a - b) <= (a + b) / 100 * err". */
function values_close(a: number, b: number, err: number): boolean {
  return Math.abs(a - b) <= ((a + b) / 100) * err;
}

interface Reading {
  current: number;
  peak: number;
  swap: number;
  swap_peak: number;
  anon: number;
}

/**
 * Run `body` as one task in a child process of memcg X (cgroup v2) and collect what the test
 * reads; `checks` turns the readings into the test's verdict, reported first (what ksft would
 * print). A model violation (a harm, or a charge wrong at rest) is a failure too.
 */
function runCase(
  name: string,
  o: { readonly mutate?: Mutation; readonly elide?: SiteId },
  setup: (k: ScenarioBuilder, X: MemCgroup, P: Process) => void,
  body: (t: ThreadBuilder, read: (tag: string) => ThreadBuilder, P: Process) => void,
  checks: (r: Map<string, Reading>) => string | null,
  alloc: number,
): SelftestOutcome {
  const readings = new Map<string, Reading>();
  const model = scenario(
    name,
    (k) => {
      const X = k.memcg('memcg_test', { v2: true });
      const P = k.process('child', { pages: SIZE, memcg: X });
      setup(k, X, P);
      k.thread(
        'cg_run',
        (t) => {
          const read = (tag: string) =>
            t.run(function* () {
              yield `cg_read_long(${tag})`;
              readings.set(tag, {
                current: X.memory,
                peak: X.memory_peak,
                swap: X.swap,
                swap_peak: X.swap_peak,
                anon: X.anon_mapped,
              });
            });
          body(t, read, P);
        },
        { alloc },
      );
    },
    // harms only: the charge invariants are checked at rest, so the test's own reads all run
    { ...o, guards: false },
  );
  const res = explore(model);
  const why = checks(readings);
  if (why !== null) return { result: 'fail', detail: why };
  if (res.verdict !== 'holds')
    return { result: 'fail', detail: `the model broke: ${res.text.split('\n')[0]}` };
  return { result: 'pass', detail: 'every check the test makes held' };
}

/** alloc_and_populate_anon(): touch every page of the child's buffer. */
function populate(t: ThreadBuilder, P: Process): void {
  for (let a = 0; a < SIZE; a++) t.store(P, a, a + 1);
}

const currentPeak: SelftestCase = {
  source: SOURCE,
  name: 'test_memcg_current_peak',
  setup: 'anonymous half, 50M as 5 pages; one page migrated (compaction) while populated',
  expected: 'pass',
  leavesOut:
    'the page-cache half (alloc_pagecache_50M_check: no page-cache allocation path); the memory.peak fds (the reset is read as the usage at the reset); memory.stat other than "anon"',
  mutation: 'migrate_keeps_old_memcg',
  run: (opts = {}) =>
    runCase(
      'test_memcg_current_peak',
      opts,
      () => {},
      (t, read, P) => {
        read('at creation');
        populate(t, P);
        // compaction may migrate any page of a running test: migrate page 0 of the buffer
        t.run(function* (task) {
          const p = P.pt.get(0);
          if (p.t !== 'present') return;
          yield* migrate_pages(task, task.k.lookup<Folio>(p.folio, 'folio'));
        });
        read('alloc_anon_50M_check');
        t.exit_mmap(P); // free(buf); the child exits
        read('after cg_run');
      },
      (r) => {
        const c = r.get('at creation');
        const a = r.get('alloc_anon_50M_check');
        const e = r.get('after cg_run');
        if (!c) return 'memory.current could not be read at creation';
        if (c.current !== 0) return `memory.current ${c.current} != 0 at creation`;
        if (c.peak !== 0) return `memory.peak ${c.peak} != 0 at creation`;
        if (!a) return 'cg_run(alloc_anon_50M_check) did not complete';
        if (a.current < SIZE) return `memory.current ${a.current} < size ${SIZE}`;
        if (!values_close(SIZE, a.current, 3)) return `memory.current ${a.current} not close to ${SIZE}`;
        if (!values_close(a.anon, a.current, 3))
          return `memory.stat anon ${a.anon} not close to memory.current ${a.current}`;
        if (!e) return 'memory.peak could not be read after the run';
        if (e.peak < SIZE) return `memory.peak ${e.peak} < 50M (${SIZE} pages) after the run`;
        // peak_fd reset after the run: it reads the usage then, which must be ≤ 30M
        if (e.current > 3) return `the reset memory.peak fd reads ${e.current} pages > 30M`;
        return null;
      },
      SIZE + 1,
    ),
};

const swapMaxPeak: SelftestCase = {
  source: SOURCE,
  name: 'test_memcg_swap_max_peak',
  setup: 'swap accounting, 50M as 5 pages, memory.max 30M as 3 pages (the overflow reclaimed to swap)',
  expected: 'pass',
  leavesOut:
    'memory.max and memory.swap.max themselves (no limits: the 2 pages the limit would push out are reclaimed with memory.reclaim, and the first, OOM-killed allocation of 100M is not run); memory.events max/oom/oom_kill; the peak fds (a reset reads the usage at the reset)',
  mutation: 'swap_free_keeps_swap_charge',
  run: (opts = {}) =>
    runCase(
      'test_memcg_swap_max_peak',
      opts,
      (k) => {
        for (let i = 0; i < SIZE; i++) k.swapSlot();
      },
      (t, read, P) => {
        read('at creation');
        populate(t, P);
        // memory.max = 30M: the charges beyond it reclaim the oldest pages to swap
        for (let a = 0; a < SIZE - 3; a++) t.reclaim(P, a);
        read('alloc_anon_50M_check_swap');
        t.exit_mmap(P); // free(buf); the child exits
        read('after cg_run');
      },
      (r) => {
        const c = r.get('at creation');
        const a = r.get('alloc_anon_50M_check_swap');
        const e = r.get('after cg_run');
        if (!c) return 'memory.swap.current could not be read at creation';
        if (c.swap !== 0) return `memory.swap.current ${c.swap} != 0 at creation`;
        if (c.swap_peak !== 0) return `memory.swap.peak ${c.swap_peak} != 0 at creation`;
        if (c.peak !== 0) return `memory.peak ${c.peak} != 0 at creation`;
        const max = 3;
        if (!a) return 'cg_run(alloc_anon_50M_check_swap) did not complete';
        if (!a.current || !values_close(a.current, max, 3))
          return `memory.current ${a.current} not close to memory.max ${max}`;
        if (!a.swap || !values_close(a.current + a.swap, SIZE, 3))
          return `memory.current ${a.current} + memory.swap.current ${a.swap} not close to ${SIZE}`;
        if (!e) return 'memory.peak could not be read after the run';
        if (e.peak < max) return `memory.peak ${e.peak} < 29M`;
        if (e.swap_peak < 2) return `memory.swap.peak ${e.swap_peak} < 19M`;
        // the swap and memory peak fds reset once the cgroup is empty: ≤ 10M and ≤ 1M
        if (e.swap > 1) return `the reset memory.swap.peak fd reads ${e.swap} pages > 10M`;
        if (e.current > 0) return `the reset memory.peak fd reads ${e.current} pages > 1M`;
        return null;
      },
      SIZE,
    ),
};

export const MEMCONTROL_CASES: readonly SelftestCase[] = [currentPeak, swapMaxPeak];
