import { describe, expect, test } from 'vitest';
import {
  explore,
  type Folio,
  type ScenarioBuilder,
  scenario,
  unreached,
  violated,
} from '../../src/sim/index.ts';
import { anonVmaAfterlife, EXTRA_RULE_RACES } from '../../src/sim/rules-extra.ts';

/**
 * Issue 11, "the missing paths": R1 seen from migration (migrate_folio_unmap()'s VM_BUG_ON), the
 * anon_vma slab page's afterlife (Hugh's "It looked like a page table"), and folio_referenced()'s
 * locking by era. The two R1 races are also run by rules.test.ts (EXTRA_RULE_RACES).
 */

const VM_BUG_ON_MIGRATE =
  /^migrate_folio_unmap: VM_BUG_ON_FOLIO\(folio_test_anon\(src\) && !folio_test_ksm\(src\) && !anon_vma\)/;

describe('R1 from migration: migrate_folio_unmap()', () => {
  const race = EXTRA_RULE_RACES.find((r) => r.title.includes('migration'))!;
  const exitVsMigrate = (opts: { mutate?: 'delayed_anon_rmap'; guards?: boolean }) =>
    scenario('exit vs migration', race.build, { era: '2022', ...opts });

  test("delayed_anon_rmap: the kernel's VM_BUG_ON_FOLIO(anon && !ksm && !anon_vma) fires (DEBUG_VM), through the race, and replays", () => {
    const model = exitVsMigrate({ mutate: 'delayed_anon_rmap', guards: true });
    const res = explore(model);
    const bug = res.violations.find((v) => VM_BUG_ON_MIGRATE.test(v.message));
    expect(bug, res.violations.map((v) => v.message).join('\n')).toBeDefined();
    expect(bug!.preemptions).toBeGreaterThan(0);
    const again = explore(model, { strategy: 'replay', schedule: bug!.schedule });
    expect(again.violations.some((v) => VM_BUG_ON_MIGRATE.test(v.message))).toBe(true);
  });

  test('serial runs of delayed_anon_rmap never reach it', () => {
    const res = explore(exitVsMigrate({ mutate: 'delayed_anon_rmap', guards: true }), {
      strategy: 'naive',
      preemptionBound: 0,
    });
    expect(res.violations.some((v) => VM_BUG_ON_MIGRATE.test(v.message))).toBe(false);
  });

  test('the correct model: migration finds the folio unmapped once its anon_vma is freed, and backs off', () => {
    const res = explore(exitVsMigrate({ guards: true }));
    expect(res.verdict).toBe('holds');
    expect(unreached(res)).toEqual([]);
    // and today's kernel the same
    expect(explore(scenario('exit vs migration (today)', race.build, {})).verdict).toBe('holds');
  });
});

describe("the anon_vma's afterlife: SLAB_TYPESAFE_BY_RCU, then the page allocator", () => {
  /** exit, an ungated reclaim and the slab page's release: the grace period must wait for reclaim. */
  function afterlife(k: ScenarioBuilder) {
    const w = anonVmaAfterlife(k); // R13's extra race (rules-extra.ts), with one more witness:
    k.sometimes('the slab page became a page table', () => w.av.state === 'pagetable', [w.av]);
    return w;
  }

  test('correct model (2022 and today): the memory becomes a page table, and no reader ever touches it', () => {
    for (const era of ['2022', 'today'] as const) {
      const res = explore(scenario(`afterlife ${era}`, afterlife, { era }));
      expect(res.text).toMatch(/^holds: exhaustive/);
      expect(unreached(res)).toEqual([]);
    }
  });

  test("delayed_anon_rmap: a reader that entered after the free meets the page table — Hugh's crash (I4)", () => {
    const res = explore(
      scenario('afterlife, delayed anon rmap', afterlife, {
        era: '2022',
        mutate: 'delayed_anon_rmap',
        guards: false,
      }),
    );
    expect(violated(res)).toEqual(['I4']);
    const hugh = explore(
      scenario('Hugh', EXTRA_RULE_RACES.find((r) => r.title.includes('page table'))!.build, {
        era: '2022',
        mutate: 'delayed_anon_rmap',
        guards: false,
      }),
    );
    expect(hugh.counterexample?.message).toMatch(/is now a page table \("It looked like a page table"\)/);
    expect(hugh.counterexample!.preemptions).toBeGreaterThan(0);
  });

  test('free_without_grace_period (R13) is still told apart: the reader was inside its read section at the free (I20)', () => {
    const res = explore(
      scenario('afterlife, no grace period', afterlife, {
        mutate: 'free_without_grace_period',
        guards: false,
      }),
    );
    expect(violated(res)).toContain('I20');
    expect(violated(res)).not.toContain('I4');
  });
});

describe('folio_referenced() locking by era', () => {
  /** P's swapin maps a swap-cache folio under its folio lock while reclaim's folio_referenced() runs. */
  function reclaimVsSwapin(k: ScenarioBuilder) {
    const P = k.process('P', { pages: 1 });
    const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
    const F = folio as Folio;
    const reclaim = k.rcuReader('reclaim');
    k.thread('P', (t) => t.load(P, 0));
    k.thread('reclaim', (t) => t.folio_referenced(F));
    k.sometimes(
      "reclaim's rmap walk is under way (RCU) while P's do_swap_page() holds the folio lock",
      () => reclaim.reader && F.lock.holder() === 0,
      [reclaim, F.lock],
    );
  }

  test('up to v6.18 (eras 2014–2023) an anon folio is walked without its lock: the walk runs while swapin holds it', () => {
    for (const era of ['2014', '2022', '2023'] as const) {
      const res = explore(scenario(`reclaim vs swapin ${era}`, reclaimVsSwapin, { era }));
      expect(res.verdict).toBe('holds');
      expect(unreached(res)).toEqual([]);
    }
  });

  test('today ("mm: always call rmap_walk() on locked folios") folio_referenced() trylocks it: that window is gone', () => {
    const res = explore(scenario('reclaim vs swapin today', reclaimVsSwapin, {}));
    expect(res.text).toMatch(/no violation/);
    expect(unreached(res)).toEqual([
      "reclaim's rmap walk is under way (RCU) while P's do_swap_page() holds the folio lock",
    ]);
  });
});

describe('fork_skips_anon_vma_clone (the mutation of the rmap.c migrate.anon port)', () => {
  /** P forks C, then exits, while reclaim looks at the folio C still maps. */
  function forkThenExit(k: ScenarioBuilder) {
    const P = k.process('P', { pages: 1 });
    const F = k.anonFolio(P, 0);
    const C = k.child(P, 'C');
    k.thread('P', (t) => t.fork(P, C).exit_mmap(P));
    k.thread('reclaim', (t) => t.folio_referenced(F));
  }

  test("breaks R1 as catalogued: the child holds no reference on the anon_vma its folio points to, so the parent's exit frees it under the child's mapping (I4)", () => {
    expect(explore(scenario('fork, exit vs reclaim', forkThenExit, { guards: false })).verdict).toBe('holds');
    const res = explore(
      scenario('fork without anon_vma_clone', forkThenExit, {
        mutate: 'fork_skips_anon_vma_clone',
        guards: false,
      }),
    );
    expect(violated(res)).toEqual(['I4']);
    // No race needed: the parent's exit frees the anon_vma while the child still maps the folio,
    // so any later rmap walk uses it (a serial run breaks: the parent runs to its end, then
    // reclaim). The minimal counterexample has no preemption.
    expect(res.counterexample!.preemptions).toBe(0);
    expect(
      violated(
        explore(scenario('serial', forkThenExit, { mutate: 'fork_skips_anon_vma_clone', guards: false }), {
          strategy: 'naive',
          preemptionBound: 0,
        }),
      ),
    ).toEqual(['I4']);
  });
});
