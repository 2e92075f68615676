import { explore } from '../explorer/index.ts';
import { violated } from '../sim/index.ts';
import { migrate_pages } from '../sim/ops/migrate.ts';
import { scenario } from '../sim/scenario.ts';
import type { SiteId } from '../sim/sites.ts';
import type { Mutation } from '../sim/variants.ts';
import type { SelftestCase, SelftestOutcome } from './case.ts';

/**
 * tools/testing/selftests/mm/rmap.c (Wei Yang, "RMAP functional tests"), read @ torvalds/linux
 * 1695841621d7: TEST_F(migrate, anon), printed by the kselftest harness as "migrate.anon".
 * The test maps one private anonymous page, memsets it (0xcf), then propagate_children() forks a
 * tree of processes (TOTAL_LEVEL 5, up to MAX_CHILDREN 3 each) that all fault it in
 * (access_region: a read, so they share it); one randomly chosen worker process moves the page
 * to another NUMA node with move_pages(MPOL_MF_MOVE_ALL) — retried up to 100 times, "migration
 * is best effort" — and records its new PFN (pagemap) in a shared page; every other process then
 * checks (has_same_pfn) that its own mapping shows that PFN: the rmap walk of the migration
 * reached every process of the tree. A worker that cannot migrate ends the test with
 * SKIP("Failed in worker"); a PFN mismatch fails ASSERT_EQ(ret, 0).
 */

const SOURCE = 'tools/testing/selftests/mm/rmap.c';

function runMigrateAnon(mutate?: Mutation, elide?: SiteId): SelftestOutcome {
  let outcome: SelftestOutcome = { result: 'fail', detail: 'the port never reached its check' };
  const s = scenario(
    'rmap.c migrate.anon',
    (k) => {
      const root = k.process('root', { pages: 1 });
      const F = k.anonFolio(root, 0, { content: 0xcf }); // mmap + memset(0xcf)
      const C1 = k.child(root, 'C1');
      const C2 = k.child(root, 'C2');
      const G = k.child(C1, 'G'); // level 3: the worker
      const tree = [root, C1, C2, G];
      k.thread(
        'tree',
        (t) =>
          t
            .fork(root, C1)
            .fork(root, C2)
            .fork(C1, G)
            .run(function* (task) {
              // the worker: try_to_move_page() → move_pages() → migrate_pages() of the folio
              const moved = yield* migrate_pages(task, F);
              yield 'has_same_pfn(): pagemap_get_pfn() in every process';
              if (!moved) {
                // the model's attempt is deterministic: the 99 retries fail the same way
                outcome = {
                  result: 'skip',
                  detail: 'Failed in worker: migrate_pages() could not unmap every mapping',
                };
                return;
              }
              const pfn = (p: (typeof tree)[number]) => {
                const pte = p.pt.peekPte(0);
                return pte.t === 'present' ? pte.folio : null; // pagemap: PM_PRESENT, else no PFN
              };
              const expected = pfn(G);
              const wrong = tree
                .filter((p) => pfn(p) !== expected)
                .map((p) => `${p.label}: ${pfn(p) ?? 'not present'}`);
              outcome =
                expected !== null && expected !== F.name && wrong.length === 0
                  ? { result: 'pass', detail: `every process maps the migrated page ${expected}` }
                  : {
                      result: 'fail',
                      detail: `expected_pfn ${expected}; ${wrong.join(', ') || 'the page did not move'}`,
                    };
            }),
        { alloc: 1 },
      );
    },
    // with a site elided (the necessity map), harms only: a guard would restate the elision
    { mutate, ...(elide ? { elide, guards: false } : {}) },
  );
  const res = explore(s);
  if (res.verdict === 'breaks')
    return {
      result: 'fail',
      detail: `the kernel oopses: ${violated(res).join(', ')} — ${res.counterexample?.message}`,
    };
  return outcome;
}

export const RMAP_CASES: readonly SelftestCase[] = [
  {
    source: SOURCE,
    name: 'migrate.anon',
    setup: 'private anonymous page shared by a forked process tree',
    expected: 'pass',
    leavesOut:
      "the random process tree (5 levels, up to 3 children each, a random worker) is a root, two children and a grandchild, the grandchild the worker; one anon_vma per fork tree (anon_vma_fork()'s per-child anon_vmas and their reuse are not modelled); NUMA nodes and move_pages(): one migrate_pages() of the folio, whose retries the deterministic model would fail the same way; the PFN is the folio",
    mutation: 'fork_skips_anon_vma_clone',
    run: (opts) => runMigrateAnon(opts?.mutate, opts?.elide),
    at: '1695841621d7',
  },
];
