import type { InvariantId } from './invariants/names.ts';
import type { Pte } from './objects/page_table.ts';
import type { ScenarioBuilder } from './scenario.ts';
import type { SiteId } from './sites.ts';
import type { Era } from './variants.ts';

/**
 * Scenarios of the necessity map (issue 14) for sites no rule scenario needed: each runs the
 * race its `site` guards, so the map shows what the site is for. Each holds in every
 * interleaving with its `sometimes` witness (the racy window) reached; with `site` elided it
 * breaks on `harm` through a race (spec-tests/sim/scenarios-extra.test.ts).
 * tools/necessity-scenarios.ts runs them with every site elided, like the rule scenarios.
 */
export interface NecessityScenarioDef {
  readonly id: string;
  readonly title: string;
  readonly era: Era;
  /** The site whose race the scenario runs. */
  readonly site: SiteId;
  /** What a user suffers with the site elided (a harm, not a guard). */
  readonly harm: InvariantId;
  readonly build: (k: ScenarioBuilder) => void;
}

export const NECESSITY_SCENARIOS: readonly NecessityScenarioDef[] = [
  {
    // mm/memory.c wp_page_copy() @ AMDESE/linux-mm 91883f9ea22a: the copy is made after
    // do_wp_page() dropped the PTL; "Re-check the pte - we dropped the lock":
    // "if (likely(vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte)))", else the new
    // folio is released. Two threads of P write-fault the page P shares with its child C: both
    // copy it; the second, without the re-check, replaces the first's copy (leaking it, with the
    // write made in it) and drops the old folio's rmap and references a second time: the old
    // folio is freed while C still maps it.
    id: 'wp_page_copy-twice',
    title: 'two threads of one mm write-fault the same COW page: the second copy must not replace the first',
    era: 'today',
    site: 'memory.c:wp_page_copy:recheck_pte_same',
    harm: 'I3',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.forked(P, 'C');
      k.thread('T1', (t) => t.store(P, 0, 2), { alloc: 1 });
      k.thread('T2', (t) => t.store(P, 0, 3), { alloc: 1 });
      k.sometimes("T2 holds its copy of the old page while T1's copy is mapped", () => {
        const a = k.allocated('T1');
        const b = k.allocated('T2');
        return a !== null && b !== null && !b.freed && maps(P.pt.peekPte(0), a.name) && !F.freed;
      }, ['folio#T1.1', 'folio#T2.1', P.pt.pteObjects()[0], F]);
    },
  },
  {
    // mm/memory.c handle_pte_fault() @ AMDESE/linux-mm 91883f9ea22a: vmf->orig_pte is read
    // locklessly (ptep_get_lockless); under the PTL "if (unlikely(!pte_same(ptep_get(vmf->pte),
    // entry)))" the fault gives up (the access retries); else a write to a !pte_write PTE goes to
    // do_wp_page() with vmf->orig_pte. P's thread T1 write-faults the page P shares with its
    // child C while another thread of P zaps it (MADV_DONTNEED): without the re-check, do_wp_page()
    // acts on the zapped PTE's folio, which C alone now references, reuses it (refcount 1) and
    // maps it writable into P: P's store lands in C's page.
    id: 'handle_pte_fault-vs-zap',
    title:
      'a write fault on a COW page re-checks the PTE under the PTL: a zap in between leaves the folio to the child',
    era: 'today',
    site: 'memory.c:handle_pte_fault:recheck_pte_same',
    harm: 'I13',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('T1', (t) => t.store(P, 0, 2), { alloc: 2 });
      k.thread('T2', (t) => t.zap(P, [0]));
      k.thread('C', (t) => t.load(C, 0));
      // T1 holds the PTL handle_pte_fault() took for the present PTE it read, which the zap
      // has cleared since (no copy made yet: not wp_page_copy's relock)
      k.sometimes(
        'T1 holds the PTL for a present PTE it read, and the zap cleared it',
        () => P.pt.ptl.holder() === 0 && P.pt.peekPte(0).t === 'none' && k.allocated('T1') === null,
        [P.pt.ptl, P.pt.pteObjects()[0], 'folio#T1.1'],
      );
    },
  },
  {
    // Charge moving in era 2023 (v6.3–v6.12, mm/memcontrol-v1.c @ torvalds/linux 04fbe921d3b1):
    // rmap no longer takes lock_page_memcg(), so mem_cgroup_move_account()'s "if
    // (folio_mapped(folio))" stat move is kept stable, for the mm being moved, by the PTL
    // mem_cgroup_move_charge_pte_range() holds over the walk (pte_offset_map_lock): seed 004,
    // Hugh: "nowadays mem_cgroup_move_account() is only called, with page table lock held, on
    // matching pages found in a task's page table". A zap of P's own PTE between the mover's
    // get_mctgt_type() and the switch leaves NR_ANON_MAPPED on the wrong memcg.
    id: 'move_charge-vs-own-zap',
    title: "charge moving walks P's page table under the PTL: P's own zap of the page being moved (2023)",
    era: '2023',
    site: 'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:ptl',
    harm: 'I8',
    build: (k) => {
      const A = k.memcg('A');
      const B = k.memcg('B');
      const P = k.process('P', { pages: 1, memcg: A });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('move', (t) => t.move_charge(P, B));
      k.thread('zap', (t) => t.zap(P, [0]));
      const mc = k.mc();
      k.sometimes(
        "the mover holds P's PTL over the mapped folio while charges are moving",
        () => mc.to !== null && P.pt.ptl.holder() === 0 && F.mapcount === 1,
        [mc, P.pt.ptl, F.mapcountObject()],
      );
    },
  },
];

const maps = (p: Pte, folio: string) => p.t === 'present' && p.folio === folio;
