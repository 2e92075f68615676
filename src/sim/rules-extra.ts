import type { Folio } from './objects/folio.ts';
import type { Pte } from './objects/page_table.ts';
import type { RuleScenario } from './rules.ts';

/**
 * Further models of a rule, beside its racy scenario in `RULES`: a second mutation of the same
 * rule whose harm needs no race (`sequential` says why). They are run by the same tests as
 * `RULES` (spec-tests/sim/rules.test.ts: holds exhaustively; the serial runs of the mutation break
 * too; the full search breaks on the harm; the guard fires), but are not the rule's scenario: the
 * rule boxes and the benchmark use `RULES`.
 *
 * R16's two fork halves: fork itself leaving PageAnonExclusive or pte_swp_exclusive set breaks
 * the rule in any order. R16's scenario in `RULES` is the race the kernel guards against:
 * do_swap_page() trusting the exclusive bit without checking it under the PTL.
 *
 * R17's other half (issue 11): the SWP_SYNCHRONOUS_IO swapin that skips the swap cache must
 * claim SWAP_HAS_CACHE (swapcache_prepare) before reading. Unlike the fork halves this one is a
 * race, reached only with a preemption: two faults read one entry into two folios.
 */
export const EXTRA_RULE_SCENARIOS: readonly RuleScenario[] = [
  {
    id: 'R16',
    title: 'fork revokes PageAnonExclusive',
    mutation: 'fork_keeps_anon_exclusive',
    harm: 'I13',
    guard: 'I14',
    sequential:
      "fork itself leaves the parent's page marked exclusive: the parent's next write reuses it in place, so the child reads it in any order",
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      const C = k.child(P, 'C');
      k.thread('P', (t) => t.fork(P, C).store(P, 0, 2));
      k.thread('C', (t) =>
        t.after('wait for fork to populate the child', () => C.pt.peekPte(0).t !== 'none').load(C, 0),
      );
      k.sometimes(
        'P wrote while C still maps the shared folio',
        () => P.mm.expect(0) === 2 && maps(C.pt.peekPte(0), F),
        [P.mm, C.pt],
      );
    },
  },
  {
    id: 'R16',
    title: "fork revokes exclusivity of a swap PTE too: the parent's pte_swp_exclusive is cleared",
    mutation: 'fork_keeps_swp_exclusive',
    harm: 'I14',
    guard: 'I14',
    sequential:
      "fork itself leaves the parent's swap PTE marked exclusive: the parent's swapin maps the shared folio PageAnonExclusive and writable, and the child's swapin of it is do_swap_page()'s BUG_ON(PageAnonExclusive) in any order (with a preemption, the child instead reads the parent's write)",
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: true, written: true, content: 5, exclusive: true });
      const C = k.child(P, 'C');
      k.thread('P', (t) => t.fork(P, C).store(P, 0, 9));
      k.thread('C', (t) =>
        t.after('wait for fork to populate the child', () => C.pt.peekPte(0).t !== 'none').load(C, 0),
      );
      k.sometimes(
        "P wrote its swapped-in page while C's PTE still holds the shared swap entry",
        () => P.mm.expect(0) === 9 && C.pt.peekPte(0).t === 'swap',
        [P.mm, C.pt],
      );
    },
  },
  {
    id: 'R17',
    title:
      'a swapin that skips the swap cache claims the entry first: two faults on a SWP_SYNCHRONOUS_IO entry',
    mutation: 'sync_swapin_without_swapcache_prepare',
    harm: 'I13',
    guard: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { cached: false, written: true, content: 5, synchronous: true });
      // T1 and T2 are threads of P faulting the same address; T2 then writes and reclaim swaps
      // the page out again, to the lowest free slot: the entry T1 read.
      k.thread('T1', (t) => t.load(P, 0), { alloc: 3 });
      k.thread('T2', (t) => t.store(P, 0, 7).reclaim(P, 0), { alloc: 3 });
      k.sometimes('both faults hold a folio for the one swap entry', () => {
        const a = k.allocated('T1');
        const b = k.allocated('T2');
        return a !== null && b !== null && !a.freed && !b.freed && P.pt.peekPte(0).t === 'swap';
      }, ['folio#T1.1', 'folio#T2.1', P.pt.pteObjects()[0]]);
    },
  },
];

const maps = (p: Pte, f: Folio) => p.t === 'present' && p.folio === f.name;
