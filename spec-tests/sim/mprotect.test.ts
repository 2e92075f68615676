import { describe, expect, test } from 'vitest';
import { explore, ruleModel, scenario, violated } from '../../src/sim/index.ts';
import type { Pte } from '../../src/sim/objects/page_table.ts';
import { EXTRA_RULE_SCENARIOS } from '../../src/sim/rules-extra.ts';

/**
 * mprotect (src/sim/ops/mprotect.ts ↔ mm/mprotect.c): change_pte_range() write-protects every
 * PTE of a private mapping, and the "mprotect() optimization" (MM_CP_TRY_CHANGE_WRITABLE,
 * can_change_pte_writable()) maps a PTE writable again only for a PageAnonExclusive page and
 * only when soft-dirty tracking does not need the write fault.
 */
const writable = (p: Pte) => p.t === 'present' && p.write;

describe('mprotect: change_pte_range and can_change_pte_writable', () => {
  test('PROT_READ then PROT_READ|PROT_WRITE maps an exclusive anon page writable again: the next store needs no fault', () => {
    const s = scenario('mprotect exclusive', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('T', (t) =>
        t
          .mprotect(P, 'r')
          .after('R/O after mprotect(PROT_READ)', () => !writable(P.pt.peekPte(0)) && F.exclusive)
          .mprotect(P, 'rw')
          .after('writable again', () => writable(P.pt.peekPte(0)))
          .store(P, 0, 2),
      );
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0);
  });

  test('a store while the VMA is PROT_READ is SIGSEGV: the data stays', () => {
    const s = scenario('PROT_READ store', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('T', (t) => t.mprotect(P, 'r').store(P, 0, 2));
      k.always('the PROT_READ store changed nothing', () => F.content === 1 && P.mm.expect(0) === 1, [
        ...F.fields('content'),
        P.mm,
      ]);
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
  });

  test('soft-dirty tracking (clear_refs) keeps the PTE R/O across the dance, and a swapin under it maps R/O too', () => {
    const s = scenario('soft-dirty', (k) => {
      const P = k.process('P', { pages: 2 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.swapped(P, 1, { content: 5, cached: false, written: true, exclusive: true });
      k.thread(
        'T',
        (t) =>
          t
            .mprotect(P, 'r')
            .clear_refs_soft_dirty(P)
            .mprotect(P, 'rw')
            .after('still R/O', () => !writable(P.pt.peekPte(0)) && F.exclusive)
            .load(P, 1)
            .after('swapped in R/O but exclusive', () => {
              const p = P.pt.peekPte(1);
              return p.t === 'present' && !p.write;
            })
            .store(P, 0, 2) // write fault: do_wp_page reuses the exclusive page (no allocation)
            .store(P, 1, 6),
        { alloc: 1 }, // the swapin's folio; a COW copy would need a second one
      );
    });
    const r = explore(s);
    expect(r.verdict, r.counterexample?.text).toBe('holds');
    expect(r.counts.deadlocked).toBe(0);
  });
});

/**
 * The rule: the R→RW "mprotect() optimization" must never make a shared (not PageAnonExclusive)
 * anon page writable. Its scenario is R15's extra model in src/sim/rules-extra.ts, which
 * spec-tests/sim/rules.test.ts runs like every rule (holds with its witness, breaks on I13, the
 * serial run, the guard). Here: the harm is the one cow.c's "Basic COW after fork() with
 * mprotect() optimization" reports — the child reads the parent's data.
 */
describe('rule: mprotect never maps a shared anon page writable', () => {
  const rule = EXTRA_RULE_SCENARIOS.find((r) => r.mutation === 'mprotect_ignores_anon_exclusive')!;

  test('breaks under mprotect_ignores_anon_exclusive: the child reads the parent’s data (I13)', () => {
    const r = explore(ruleModel(rule, 'breaks'));
    expect(r.verdict).toBe('breaks');
    expect(violated(r)).toEqual(['I13']);
    expect(r.counterexample?.message).toMatch(/C loads 2 from page 0/);
  });
});
