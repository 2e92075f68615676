import { describe, expect, test } from 'vitest';
import { explore, invariantId, scenario } from '../../src/sim/index.ts';
import { LOCK_ORDER } from '../../src/sim/lockdep.ts';
import { RULES, ruleModel } from '../../src/sim/rules.ts';
import { EXTRA_RULE_RACES, EXTRA_RULE_SCENARIOS } from '../../src/sim/rules-extra.ts';

/**
 * I18 lock order (kernel-rules.md §2; mm/rmap.c "Lock ordering in mm"): every blocking lock
 * acquisition is checked against the locks the thread holds.
 */
describe('I18 lock order', () => {
  test('the documented order: folio_lock → i_mmap_rwsem → anon_vma->rwsem → PTL → memcg move_lock → lru_lock', () => {
    expect(LOCK_ORDER).toEqual([
      'folio_lock',
      'mapping->i_mmap_rwsem',
      'anon_vma->rwsem',
      'pte_lock',
      'memcg->move_lock',
      'lruvec->lru_lock',
    ]);
  });

  test.each(
    [...RULES, ...EXTRA_RULE_SCENARIOS, ...EXTRA_RULE_RACES].map(
      (r) => [`${r.id} (${r.mutation})`, r] as const,
    ),
  )(
    '%s: the correct model never acquires locks out of order (random sample of 300 interleavings)',
    (_id, r) => {
      const res = explore(ruleModel(r, 'holds'), {
        strategy: 'random',
        runs: 300,
        seed: 18,
        minimize: false,
      });
      expect(res.counterexample && invariantId(res.counterexample.assertion)).not.toBe('I18');
      expect(res.verdict).not.toBe('breaks');
    },
  );

  test('folio_lock_under_ptl: do_swap_page taking the PTL before folio_lock() trips I18, naming both orders', () => {
    const s = scenario(
      'swapin with the PTL held',
      (k) => {
        const P = k.process('P', { pages: 1 });
        k.swapped(P, 0, { cached: true, content: 4 });
        k.thread('P', (t) => t.load(P, 0));
      },
      { mutate: 'folio_lock_under_ptl' },
    );
    const r = explore(s);
    expect(r.verdict).toBe('breaks');
    const cex = r.counterexample!;
    expect(invariantId(cex.assertion)).toBe('I18');
    expect(cex.text).toMatch(
      /this thread's order is pte_lock → folio_lock, the kernel's .* is folio_lock → pte_lock/,
    );
    expect(explore(s, { strategy: 'replay', schedule: cex.schedule }).verdict).toBe('breaks');
    // and without the mutation the same swapin respects the order
    const ok = explore(
      scenario('swapin', (k) => {
        const P = k.process('P', { pages: 1 });
        k.swapped(P, 0, { cached: true, content: 4 });
        k.thread('P', (t) => t.load(P, 0));
      }),
    );
    expect(ok.verdict).toBe('holds');
  });
});
