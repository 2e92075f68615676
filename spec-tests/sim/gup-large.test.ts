import { describe, expect, test } from 'vitest';
import { explore, scenario } from '../../src/sim/index.ts';
import { folio_maybe_dma_pinned } from '../../src/sim/objects/folio.ts';
import type { Process, ScenarioBuilder } from '../../src/sim/scenario.ts';

/**
 * FOLL_PIN on large folios (src/sim/ops/gup.ts, memory.ts): one reference and one
 * folio->_pincount per pin (mm/gup.c try_grab_folio / gup_put_folio), the unshare fault on one
 * page of a large folio (do_wp_page with FAULT_FLAG_UNSHARE, per-page PageAnonExclusive), and
 * fork of a maybe-pinned large folio (copy_present_ptes: the batch fails, then
 * folio_try_dup_anon_rmap_pte / copy_present_page one PTE at a time). Each test waits on the
 * state it claims (a wait that never holds is a deadlock) and fails under the mutation named.
 */

const pte = (p: Process, a: number) => p.pt.peekPte(a);

describe('GUP on large folios', () => {
  test('a pin adds 1 to the refcount and 1 to _pincount, unpin drops both; a FOLL_GET reference adds to the refcount only', () => {
    const s = scenario('large pin accounting', (k) => {
      const P = k.process('P', { pages: 4 });
      const f = k.thp(P, 0, 4);
      k.thread('T', (t) =>
        t
          .pin_user_pages(P, 2, { longterm: true })
          .after('pinned', () => f.refcount === 5 && f.pincount === 1 && folio_maybe_dma_pinned(f))
          .unpin_user_page()
          .get_user_pages(P, 1)
          .after('referenced', () => f.refcount === 5 && f.pincount === 0 && !folio_maybe_dma_pinned(f))
          .unpin_user_page()
          .after('released', () => f.refcount === 4),
      );
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0);
  });

  /** P's THP shared with C by fork; T R/O-pins page 1 of P (gup_test PIN_LONGTERM_TEST_START). */
  const unshareOne = (k: ScenarioBuilder) => {
    const P = k.process('P', { pages: 4 });
    const F = k.thp(P, 0, 4, { content: 10 });
    const C = k.forked(P, 'C');
    return { P, F, C };
  };

  test('a R/O pin of one page of a shared large folio unshares that page only: a small exclusive copy, mapped R/O', () => {
    const build = (k: ScenarioBuilder) => {
      const { P, F, C } = unshareOne(k);
      k.thread(
        'T',
        (t) =>
          t.pin_user_pages(P, 1, { longterm: true }).after('page 1 unshared', () => {
            const p = pte(P, 1);
            const N = k.allocated('T');
            return (
              N !== null &&
              p.t === 'present' &&
              p.folio === N.name &&
              !p.write &&
              N.exclusive &&
              N.content === 11 &&
              folio_maybe_dma_pinned(N) &&
              !folio_maybe_dma_pinned(F) &&
              [0, 2, 3].every((a) => {
                const q = pte(P, a);
                return q.t === 'present' && q.folio === F.name && !F.pageExclusive(a);
              }) &&
              pte(C, 1).t === 'present'
            );
          }),
        { alloc: 1 },
      );
    };
    const r = explore(scenario('unshare one page', build));
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0);
    // pin_without_unshare: the shared page itself is pinned, and the wait never holds
    const m = explore(scenario('unshare one page', build, { mutate: 'pin_without_unshare', guards: false }));
    expect(m.counts.deadlocked).toBeGreaterThan(0);
  });

  test('unsharing a page that is not exclusive but whose folio is exclusive to the mm reuses it in place (PageAnonExclusive set, PTE stays R/O)', () => {
    const build = (k: ScenarioBuilder) => {
      const P = k.process('P', { pages: 4 });
      const F = k.thpPartiallyShared(P, 0, 4); // page 0: shared once, R/O, not PageAnonExclusive
      k.thread(
        'T',
        (t) =>
          t.pin_user_pages(P, 0, { longterm: true }).after('reused', () => {
            const p = pte(P, 0);
            return (
              p.t === 'present' && p.folio === F.name && !p.write && F.pageExclusive(0) && F.pincount === 1
            );
          }),
        { alloc: 0 }, // no copy
      );
    };
    const r = explore(scenario('unshare reuses a large folio page', build));
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0);
    // era 2023 (before CONFIG_MM_ID): a large anon folio is never reused, the page is copied
    expect(() => explore(scenario('unshare copies', build, { era: '2023' }))).toThrow(
      /allocates more than 0/,
    );
  });

  test('fork with a pinned large folio: exclusive pages are copied for the child one by one, a page already shared stays shared', () => {
    const build = (k: ScenarioBuilder) => {
      const P = k.process('P', { pages: 4 });
      const F = k.thpPartiallyShared(P, 0, 4, { content: 20 });
      const C = k.child(P, 'C');
      k.thread(
        'T',
        (t) =>
          t
            .pin_user_pages(P, 2, { write: true, longterm: true })
            .fork(P, C)
            .after('copied', () => {
              const c0 = pte(C, 0);
              const copies = [1, 2, 3].map((a) => pte(C, a));
              return (
                c0.t === 'present' &&
                c0.folio === F.name &&
                !c0.write && // folio_try_dup_anon_rmap_pte(page 0): not exclusive, shared
                copies.every((q) => q.t === 'present' && q.folio !== F.name && q.write) &&
                new Set(copies.map((q) => (q.t === 'present' ? q.folio : ''))).size === 3 &&
                [1, 2, 3].every((a) => {
                  const q = pte(P, a);
                  return q.t === 'present' && q.folio === F.name && q.write && F.pageExclusive(a);
                })
              );
            })
            .unpin_user_page(),
        { alloc: 3 },
      );
    };
    const r = explore(scenario('fork of a pinned large folio', build));
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0);
    // fork_shares_pinned_page: the batch is shared with the child, pinned pages included
    const m = explore(
      scenario('fork of a pinned large folio', build, { mutate: 'fork_shares_pinned_page', guards: false }),
    );
    expect(m.counts.deadlocked).toBeGreaterThan(0);
  });
});
