import { describe, expect, test } from 'vitest';
import { explore, ruleModel, scenario, unreached, violated } from '../../src/sim/index.ts';
import { folio_maybe_dma_pinned, GUP_PIN_COUNTING_BIAS } from '../../src/sim/objects/folio.ts';
import { EXTRA_RULE_SCENARIOS } from '../../src/sim/rules-extra.ts';

/**
 * GUP as mm/gup.c has it (src/sim/ops/gup.ts): FOLL_GET vs FOLL_PIN accounting, unsharing of
 * R/O pins (gup_must_unshare → FAULT_FLAG_UNSHARE in do_wp_page), GUP-fast, fork copying a
 * maybe-pinned page (copy_present_page), and the PageAnonExclusive rules pins rely on.
 */
describe('GUP: FOLL_GET and FOLL_PIN', () => {
  test('a pin adds GUP_PIN_COUNTING_BIAS to a small folio and unpin takes it back; a FOLL_GET reference adds 1', () => {
    const s = scenario('pin accounting', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('T', (t) =>
        t
          .pin_user_pages(P, 0, { longterm: true })
          .after('pinned', () => F.refcount === 1 + GUP_PIN_COUNTING_BIAS && folio_maybe_dma_pinned(F))
          .unpin_user_page()
          .get_user_pages(P, 0)
          .after('referenced', () => F.refcount === 2 && !folio_maybe_dma_pinned(F))
          .unpin_user_page(),
      );
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0); // both waits were satisfied
  });

  test('a R/O pin of a shared anon page unshares it first: the pinning process gets an exclusive copy, mapped R/O', () => {
    const s = scenario('R/O pin unshares', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('T', (t) => t.pin_user_pages(P, 0, { longterm: true }), { alloc: 1 });
      k.sometimes("P's PTE maps its own exclusive, pinned copy, still R/O; C keeps F", () => {
        const p = P.pt.peekPte(0);
        const N = k.allocated('T');
        return (
          N !== null &&
          p.t === 'present' &&
          p.folio === N.name &&
          !p.write &&
          N.exclusive &&
          folio_maybe_dma_pinned(N) &&
          C.pt.peekPte(0).t === 'present' &&
          F.mapcount === 1
        );
      }, [
        P.pt.pteObjects()[0],
        C.pt.pteObjects()[0],
        F,
        F.mapcountObject(),
        'folio#T.1',
        'folio#T.1.exclusive',
      ]);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(unreached(r)).toEqual([]);
  });

  test('unsharing a previously-shared page reuses it in place (no copy: the thread may not allocate) and only sets PageAnonExclusive', () => {
    const s = scenario('unshare reuses', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('T', (t) => t.exit_mmap(C).pin_user_pages(P, 0, { longterm: true }), { alloc: 0 });
      k.sometimes('F pinned and exclusive, its PTE still R/O', () => {
        const p = P.pt.peekPte(0);
        return (
          p.t === 'present' && p.folio === F.name && !p.write && F.exclusive && folio_maybe_dma_pinned(F)
        );
      }, [P.pt.pteObjects()[0], F, ...F.fields('exclusive')]);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(unreached(r)).toEqual([]);
  });

  test('FOLL_GET (vmsplice) of a shared page does not unshare: gup_must_unshare is for R/O FOLL_PIN only', () => {
    const s = scenario('FOLL_GET shares', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.forked(P, 'C');
      k.thread('T', (t) => t.get_user_pages(P, 0, { fast: true }), { alloc: 0 });
      k.sometimes('F referenced, still shared', () => F.refcount === 3 && !F.exclusive && F.mapcount === 2, [
        F,
        F.mapcountObject(),
        ...F.fields('exclusive'),
      ]);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(unreached(r)).toEqual([]);
  });

  test('a FOLL_WRITE pin of a R/O shared page breaks COW with a write fault and pins the writable copy', () => {
    const s = scenario('FOLL_WRITE pin', (k) => {
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: 1 });
      k.forked(P, 'C');
      k.thread('T', (t) => t.pin_user_pages(P, 0, { write: true, longterm: true }), { alloc: 1 });
      k.sometimes('P maps its pinned copy writable', () => {
        const p = P.pt.peekPte(0);
        const N = k.allocated('T');
        return N !== null && p.t === 'present' && p.folio === N.name && p.write && folio_maybe_dma_pinned(N);
      }, [P.pt.pteObjects()[0], 'folio#T.1']);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(unreached(r)).toEqual([]);
  });

  test('a R/O pin racing a write of the same process stays coherent; without unsharing the write copies the page away from the pin (I13)', () => {
    const build = (k: Parameters<Parameters<typeof scenario>[1]>[0]) => {
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: 1 });
      k.forked(P, 'C');
      k.thread(
        'pin',
        (t) =>
          t
            .pin_user_pages(P, 0, { longterm: true })
            .after('the other thread wrote', () => P.mm.expect(0) === 7)
            .readGupPage('mapped', 'Longterm R/O pin is reliable'),
        { alloc: 1 },
      );
      k.thread('write', (t) => t.store(P, 0, 7), { alloc: 1 });
    };
    const holds = explore(scenario('pin vs write', build));
    expect(holds.verdict, holds.counterexample?.text).toBe('holds');
    expect(holds.counts.executions).toBeGreaterThan(1);
    const r = explore(scenario('pin vs write', build, { mutate: 'pin_without_unshare', guards: false }));
    expect(r.verdict).toBe('breaks');
    expect(violated(r)).toEqual(['I13']);
    // with guards on, follow_page_pte's VM_BUG_ON_PAGE (FOLL_PIN of a non-exclusive page) fires first
    const g = explore(scenario('pin vs write', build, { mutate: 'pin_without_unshare' }));
    expect(g.violations.map((v) => v.assertion)).toContain('VM_BUG_ON_PAGE');
  });
});

describe('reclaim and pins', () => {
  test('try_to_unmap leaves a pinned exclusive page mapped (folio_try_share_anon_rmap_pte -EBUSY), so reclaim keeps it', () => {
    const s = scenario('reclaim a pinned page', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.swapSlot();
      k.thread('T', (t) =>
        t
          .pin_user_pages(P, 0, { longterm: true })
          .reclaim(P, 0)
          .store(P, 0, 4)
          .readGupPage('mapped', 'Longterm R/O pin is reliable')
          .unpin_user_page(),
      );
      k.always('F stays mapped and exclusive while pinned', () => {
        const p = P.pt.peekPte(0);
        return p.t === 'present' && p.folio === F.name && F.exclusive;
      }, [P.pt.pteObjects()[0], ...F.fields('exclusive')]);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
  });
});

describe('fork and pins (R16: copy_present_page)', () => {
  // The scenario is R16's extra model (src/sim/rules-extra.ts); rules.test.ts runs its holds side,
  // witness (P keeps its pinned page writable and exclusive while C maps a copy) and guards.
  const rule = EXTRA_RULE_SCENARIOS.find((r) => r.mutation === 'fork_shares_pinned_page')!;

  test('fork_shares_pinned_page: the parent write-faults, copies away from its pin, and the pin reads stale data (I13)', () => {
    const r = explore(ruleModel(rule, 'breaks'));
    expect(r.verdict).toBe('breaks');
    expect(violated(r)).toEqual(['I13']);
    expect(r.counterexample?.message).toMatch(/Longterm R\/W pin is reliable/);
  });

  test('an unpinned page (a FOLL_GET reference only) is shared by fork, as before', () => {
    const s = scenario('fork shares GET', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.child(P, 'C');
      k.thread('P', (t) => t.get_user_pages(P, 0).fork(P, C), { alloc: 0 });
      k.sometimes('shared after fork', () => F.mapcount === 2 && !F.exclusive, [
        F.mapcountObject(),
        ...F.fields('exclusive'),
      ]);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(unreached(r)).toEqual([]);
  });
});
