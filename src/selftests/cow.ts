import { bug, explore } from '../explorer/index.ts';
import { INV } from '../sim/invariants/names.ts';
import { type GupFlags, type GupPage, gup_one, read_gup_page, unpin_user_page } from '../sim/ops/gup.ts';
import { type Process, type ScenarioBuilder, scenario, type ThreadBuilder } from '../sim/scenario.ts';
import type { SiteId } from '../sim/sites.ts';
import type { Mutation } from '../sim/variants.ts';
import type { SelftestCase, SelftestOutcome } from './case.ts';

/**
 * tools/testing/selftests/mm/cow.c (David Hildenbrand, 2022), read at torvalds/linux
 * 109364fce504: its anon_test_cases[] (anonymous memory in private mappings, shared with a
 * child by fork() and pinned by GUP), each run by run_anon_test_case() in every setup the
 * kernel has. A case is the kernel's test string; a setup is a function that builds the memory
 * the case then works on (cow.c's run_with_*), so THP setups can be added to SETUPS without
 * touching a case.
 *
 * How a port reads: the parent and the child are two threads of the scenario, the comm pipes
 * are cells they wait on (`pipe()`), and the final memcmp() is a check the model makes where
 * the test makes it: a child load that must still see its old data (I13, "Leak from parent
 * into child"), or a read through the GUP reference that must see the right data
 * (read_gup_page: "Leak from child into parent", "Longterm R/O pin is reliable"). Each port is
 * explored exhaustively with harms only (guards off, as a kernel without DEBUG_VM): `pass` if
 * no interleaving breaks it, `fail` with the counterexample's message otherwise.
 *
 * Ported here: all fourteen anon_test_cases[] (the two io_uring ones included, see their
 * leavesOut) in the setups "base page" and "swapped out base page" (do_run_with_base_page) and
 * the PTE-mapped THP setups of do_run_with_thp() at 16 kB (the smallest anonymous mTHP; cow.c
 * runs each size the system offers): "PTE-mapped THP", "swapped-out, PTE-mapped THP",
 * "single PTE of THP", "partially mremap()'ed THP", "partially shared THP" — 98 cases.
 * Not expressible (yet), with the reason:
 * - "THP (2048 kB)" and "swapped-out THP (2048 kB)" (THP_RUN_PMD, THP_RUN_PMD_SWAPOUT): the
 *   model has no PMD mappings (no do_huge_pmd_wp_page, no PMD-level rmap, no PMD split);
 * - "single PTE of swapped-out THP" (THP_RUN_SINGLE_PTE_SWAPOUT): MADV_PAGEOUT of one PTE of a
 *   partially mapped large folio splits the folio in shrink_folio_list() (split_folio_to_list)
 *   before the page goes to swap; folio splitting is not modelled (the state it leaves, one
 *   exclusive swap PTE, is the "swapped out base page" setup's);
 * - the other mTHP sizes (32 kB … 1024 kB): the same code paths with more pages; not run, to
 *   keep the catalogue fast;
 * - run_with_hugetlb: hugetlb is not modelled (no hugetlb_wp, no hugetlb rmap);
 * - the other test groups of cow.c: anon_thp_test_cases (MADV_COLLAPSE: khugepaged and PMD
 *   THPs not modelled) and non_anon_test_cases (shared zeropage, huge zeropage, memfd, tmpfile,
 *   hugetlb memfd: private file mappings, the zero page and FOLL_LONGTERM on file pages are
 *   not modelled).
 */

const SOURCE = 'tools/testing/selftests/mm/cow.c';

/** memset(mem, 1, size) in the setup; memset(mem, 0xff, size) in the test. */
const OLD = 1;
const NEW = 0xff;

/** A setup of cow.c: builds the process P and its one page the case works on. */
export interface CowSetup {
  /** The setup as cow.c's "[RUN] … with <setup>" line names it. */
  readonly name: string;
  readonly build: (k: ScenarioBuilder) => Process;
  /** What the model leaves out of this setup. */
  readonly leavesOut: string;
  /** The pages the test works on (cow.c's mem..mem + size); [0] when absent (a base page). */
  readonly pages?: readonly number[];
  /** The mutation under which each case must fail in this setup, where it is not the case's own. */
  readonly mutation?: (c: string, caseMutation: Mutation) => Mutation;
}

/**
 * The THP size of the THP setups, in pages: 4 (16 kB), the smallest anonymous mTHP (order 2).
 * cow.c runs every size /sys/kernel/mm/transparent_hugepage/hugepages-*kB offers (thpsizes[]),
 * with that size THP_ALWAYS and the PMD size THP_NEVER; the model runs the smallest one.
 */
const THP_PAGES = 4;

/**
 * do_run_with_base_page(fn, swapout): mmap one private anonymous page, MADV_NOHUGEPAGE,
 * memset(mem, 1), and for the swap setup MADV_PAGEOUT (skip if the page did not go to swap).
 */
export const SETUPS: readonly CowSetup[] = [
  {
    name: 'base page',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: OLD }); // memset() faulted in an exclusive, writable page
      return P;
    },
    leavesOut: '',
  },
  {
    name: 'swapped out base page',
    build: (k) => {
      const P = k.process('P', { pages: 1 });
      // MADV_PAGEOUT wrote the page to swap and freed it: an exclusive swap PTE
      k.swapped(P, 0, { content: OLD, written: true, cached: false, exclusive: true });
      return P;
    },
    leavesOut:
      'MADV_PAGEOUT is the setup state (the page written to swap and out of the swap cache), not a run of reclaim',
  },
  ...thpSetups(THP_PAGES),
];

/**
 * do_run_with_thp(fn, thp_run, thpsize) for the PTE-mapped runs: mmap 2 × thpsize, align,
 * MADV_HUGEPAGE, "mem[0] = 1" faults in the THP (skip if the last page is not populated),
 * memset(mem, 1, thpsize), then per THP_RUN_*; the swap runs MADV_PAGEOUT the range
 * (range_is_swapped, else skip). Each setup is the state those calls leave, built with the
 * k.thp* helpers (src/sim/scenario.ts), and the case then works on `pages` (cow.c's size).
 */
function thpSetups(nr: number): CowSetup[] {
  const kB = `${nr * 4} kB`;
  const all = Array.from({ length: nr }, (_, i) => i);
  const PAGEOUT =
    'MADV_PAGEOUT is the setup state (the THP written to nr swap entries and freed: reclaim of a large folio), not a run of reclaim; swapin gives small folios (swapin_readahead; the large-folio swapin of SWP_SYNCHRONOUS_IO devices is not taken)';
  const FAULT =
    'the THP is the state its first fault leaves (mem[0] = 1 with THP_ALWAYS), not a run of the fault';
  return [
    {
      // THP_RUN_PTE: mprotect(mem + pagesize, pagesize, PROT_READ) and back (a no-op below the
      // PMD size: the THP is PTE-mapped already)
      name: `PTE-mapped THP (${kB})`,
      build: (k) => {
        const P = k.process('P', { pages: nr });
        k.thp(P, 0, nr, { content: OLD });
        return P;
      },
      leavesOut: FAULT,
      pages: all,
    },
    {
      name: `swapped-out, PTE-mapped THP (${kB})`,
      build: (k) => {
        const P = k.process('P', { pages: nr });
        k.thpSwappedOut(P, 0, nr, { content: OLD });
        return P;
      },
      leavesOut: PAGEOUT,
      pages: all,
    },
    {
      // THP_RUN_SINGLE_PTE: madvise(mem + pagesize, thpsize - pagesize, MADV_DONTNEED); size = pagesize
      name: `single PTE of THP (${kB})`,
      build: (k) => {
        const P = k.process('P', { pages: nr });
        k.thpSinglePte(P, 0, nr, { content: OLD });
        return P;
      },
      leavesOut: `${FAULT}; the deferred split of the partially mapped folio is not modelled`,
      pages: [0],
    },
    {
      // THP_RUN_PARTIAL_MREMAP: mremap(mem + size/2, size/2, size/2, MREMAP_MAYMOVE |
      // MREMAP_FIXED, mremap_mem); the test runs on the lower half (size = thpsize / 2)
      name: `partially mremap()'ed THP (${kB})`,
      build: (k) => {
        const P = k.process('P', { pages: nr + nr / 2 });
        k.thpPartiallyRemapped(P, 0, nr, nr, { content: OLD });
        return P;
      },
      leavesOut: `${FAULT}; the moved half sits in the same VMA past the THP (the kernel's is a VMA of its own)`,
      pages: all.slice(0, nr / 2),
      // The moved half stays mapped by parent and child, so the largest per-page mapcount stays 2
      // and the pre-v5.9 mapcount rule copies too: the vmsplice cases cannot tell it apart here.
      // They fail instead when fork leaves the shared pages PageAnonExclusive (R16).
      mutation: (_c, m) => (m === 'mapcount_based_reuse' ? 'fork_keeps_anon_exclusive' : m),
    },
    {
      // THP_RUN_PARTIAL_SHARED: MADV_DONTFORK all but the first page, fork(), the child exits,
      // MADV_DOFORK
      name: `partially shared THP (${kB})`,
      build: (k) => {
        const P = k.process('P', { pages: nr });
        k.thpPartiallyShared(P, 0, nr, { content: OLD });
        return P;
      },
      leavesOut: `${FAULT}; the fork and the child's exit are the setup state`,
      pages: all,
    },
  ];
}

/** A comm pipe of cow.c (setup_comm_pipes): a one-shot message one thread waits for. */
interface Pipe {
  write(t: ThreadBuilder): ThreadBuilder;
  read(t: ThreadBuilder): ThreadBuilder;
}

function pipe(k: ScenarioBuilder, name: string): Pipe {
  const c = k.m.cell(`pipe:${name}`, 0);
  return {
    write: (t) =>
      t.run(function* () {
        yield `write(${name})`;
        c.store(1);
      }),
    read: (t) => t.after(`read(${name})`, () => c.load() === 1),
  };
}

interface CowCase {
  readonly name: string;
  /** What the kernel prints when the case passes (ksft_test_result_pass). */
  readonly passes: string;
  /** The mutation under which the port must fail, per setup. */
  readonly mutation: (setup: string) => Mutation;
  readonly leavesOut: string;
  readonly body: (k: ScenarioBuilder, P: Process, pages: readonly number[]) => void;
}

/** Folios a thread may allocate: per page a swapin and a COW or fork copy, at least 3. */
const alloc = (pages: readonly number[]) => ({ alloc: Math.max(3, 2 * pages.length + 1) });

/**
 * The GUP pages one thread of a case holds: cow.c's vmsplice(), io_uring registration and
 * gup_test pin the whole range at once (one GUP call); here one gup_one() per page, in order.
 */
class GupPages {
  /**
   * Slot i: the i-th page taken. Slots are fixed when the thread is built and written when the
   * step runs, so every execution of the scenario (built once, src/sim/scenario.ts) starts over.
   */
  private refs: (GupPage | null)[] = [];
  private slots = 0;
  /** get_user_pages / pin_user_pages (per `flags`) of every page of the range of `p`. */
  take(t: ThreadBuilder, p: Process, pages: readonly number[], flags: GupFlags): ThreadBuilder {
    for (const a of pages) {
      const slot = this.slots++;
      t.run((task) => {
        const self = this;
        return (function* () {
          self.refs[slot] = yield* gup_one(task, p.mm, a, flags);
        })();
      });
    }
    return t;
  }
  /** The kernel user reads every page through its reference (read_gup_page): I13 on a mismatch. */
  read(t: ThreadBuilder, want: 'snapshot' | 'mapped', failure: string, n: number): ThreadBuilder {
    for (let i = 0; i < n; i++)
      t.run((task) => {
        const self = this;
        return (function* () {
          const ref = self.refs[i] ?? null;
          if (ref === null) bug(INV.I13, `${failure}: GUP failed, nothing to read`);
          else yield* read_gup_page(task, ref, want, failure);
        })();
      });
    return t;
  }
  /** unpin_user_pages() / put_page() of every page taken. */
  release(t: ThreadBuilder, n: number): ThreadBuilder {
    for (let i = 0; i < n; i++)
      t.run((task) => {
        const self = this;
        return (function* () {
          const ref = self.refs[i] ?? null;
          if (ref === null) return;
          self.refs[i] = null;
          yield* unpin_user_page(task, ref);
        })();
      });
    return t;
  }
}

/**
 * do_test_cow_in_parent(mem, size, do_mprotect, fn): fork; the child runs fn (child_memcmp_fn
 * or child_vmsplice_memcmp_fn) and signals ready; the parent (mprotect(PROT_READ) +
 * mprotect(PROT_READ|PROT_WRITE) first if do_mprotect) memsets 0xff and signals; the child's
 * memcmp decides "No leak from parent into child".
 */
function cowInParent(
  k: ScenarioBuilder,
  P: Process,
  pages: readonly number[],
  mprotect: boolean,
  vmsplice: boolean,
): void {
  const C = k.child(P, 'C');
  const gup = new GupPages();
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  k.thread(
    'parent',
    (t) => {
      forked.write(t.fork(P, C));
      childReady.read(t);
      if (mprotect) t.mprotect(P, 'r').mprotect(P, 'rw');
      for (const a of pages) t.store(P, a, NEW); // memset(mem, 0xff, size)
      parentReady.write(t);
    },
    alloc(pages),
  );
  k.thread(
    'child',
    (t) => {
      forked.read(t);
      for (const a of pages) t.load(C, a); // memcpy(old, mem, size)
      if (vmsplice) {
        gup.take(t, C, pages, { pin: false, fast: true }); // vmsplice(): iov_iter_get_pages (FOLL_GET)
        t.zap(C, pages); // munmap(mem, size)
      }
      childReady.write(t);
      parentReady.read(t);
      if (vmsplice)
        gup.release(gup.read(t, 'snapshot', 'Leak from parent into child', pages.length), pages.length);
      else for (const a of pages) t.load(C, a); // memcmp(old, mem, size): I13 is "Leak from parent into child"
    },
    alloc(pages),
  );
}

/**
 * do_test_vmsplice_in_parent(mem, size, before_fork): vmsplice() in the parent before or after
 * fork(); the parent munmaps, the child memsets 0xff and exits; the pipe must read the old data.
 */
function vmspliceInParent(
  k: ScenarioBuilder,
  P: Process,
  pages: readonly number[],
  beforeFork: boolean,
): void {
  const C = k.child(P, 'C');
  const gup = new GupPages();
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  const exited = pipe(k, 'wait()');
  k.thread(
    'parent',
    (t) => {
      for (const a of pages) t.load(P, a); // memcpy(old, mem, size)
      if (beforeFork) gup.take(t, P, pages, { pin: false, fast: true }); // vmsplice()
      forked.write(t.fork(P, C));
      if (!beforeFork) gup.take(t, P, pages, { pin: false, fast: true }); // vmsplice()
      childReady.read(t);
      t.zap(P, pages); // munmap(mem, size)
      parentReady.write(t);
      exited.read(t);
      gup.release(gup.read(t, 'snapshot', 'Leak from child into parent', pages.length), pages.length);
    },
    alloc(pages),
  );
  k.thread(
    'child',
    (t) => {
      forked.read(t);
      childReady.write(t);
      parentReady.read(t);
      for (const a of pages) t.store(C, a, NEW); // memset(mem, 0xff, size); exit(0)
      exited.write(t);
    },
    alloc(pages),
  );
}

/**
 * do_test_iouring(mem, size, use_fork): io_uring_register_buffers() (FOLL_WRITE | FOLL_PIN |
 * FOLL_LONGTERM), then fork() or the R/O dance (mprotect(PROT_READ); clear_softdirty();
 * mprotect(PROT_READ|PROT_WRITE)), memset 0xff, and IORING_OP_WRITE_FIXED must write what mem
 * holds: "Longterm R/W pin is reliable".
 */
function iouring(k: ScenarioBuilder, P: Process, pages: readonly number[], useFork: boolean): void {
  const C = useFork ? k.child(P, 'C') : null;
  const gup = new GupPages();
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  k.thread(
    'parent',
    (t) => {
      gup.take(t, P, pages, { pin: true, write: true, longterm: true, fast: true }); // io_pin_pages()
      if (C !== null) {
        forked.write(t.fork(P, C));
        childReady.read(t);
      } else t.mprotect(P, 'r').clear_refs_soft_dirty(P).mprotect(P, 'rw');
      for (const a of pages) t.store(P, a, NEW);
      gup.read(t, 'mapped', 'Longterm R/W pin is reliable', pages.length); // write_fixed; pread; memcmp
      if (C !== null) parentReady.write(t);
      gup.release(t, pages.length); // io_uring_unregister_buffers()
    },
    alloc(pages),
  );
  if (C !== null)
    k.thread(
      'child',
      (t) => {
        forked.read(t);
        childReady.write(t);
        parentReady.read(t); // exit(0)
      },
      alloc(pages),
    );
}

type RoPin = 'shared' | 'previously shared' | 'exclusive';

/**
 * do_test_ro_pin(mem, size, test, fast): share the page with a child (and let it exit, for
 * "previously shared") or do the R/O dance; take a R/O longterm pin (gup_test
 * PIN_LONGTERM_TEST_START: pin_user_pages(FOLL_LONGTERM), or pin_user_pages_fast with
 * PIN_LONGTERM_TEST_FLAG_USE_FAST) — "This should trigger unsharing" —, memset 0xff, and
 * PIN_LONGTERM_TEST_READ must read it: "Longterm R/O pin is reliable".
 */
function roPin(k: ScenarioBuilder, P: Process, pages: readonly number[], test: RoPin, fast: boolean): void {
  const C = test === 'exclusive' ? null : k.child(P, 'C');
  const gup = new GupPages();
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  k.thread(
    'parent',
    (t) => {
      if (C === null) t.mprotect(P, 'r').clear_refs_soft_dirty(P).mprotect(P, 'rw');
      else if (test === 'previously shared')
        t.fork(P, C).exit_mmap(C); // the child quits; wait()
      else {
        forked.write(t.fork(P, C));
        childReady.read(t);
      }
      gup.take(t, P, pages, { pin: true, longterm: true, fast });
      for (const a of pages) t.store(P, a, NEW);
      gup.read(t, 'mapped', 'Longterm R/O pin is reliable', pages.length);
      gup.release(t, pages.length); // PIN_LONGTERM_TEST_STOP
      if (test === 'shared') parentReady.write(t);
    },
    alloc(pages),
  );
  if (C !== null && test === 'shared')
    k.thread(
      'child',
      (t) => {
        forked.read(t);
        childReady.write(t);
        parentReady.read(t); // exit(0)
      },
      alloc(pages),
    );
}

const swapped = (setup: string) => setup.includes('swapped');
const VMSPLICE =
  'vmsplice() and the pipe: fs/splice.c iter_to_pipe() takes page references with iov_iter_get_pages2(), modelled as get_user_pages_fast(FOLL_GET) (lib/iov_iter.c not re-read); the pipe holds that reference, read';
const IOURING =
  'io_uring itself: io_uring_register_buffers() is pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) and IORING_OP_WRITE_FIXED + pread() a read through the pin (built only with liburing: LOCAL_CONFIG_HAVE_LIBURING)';
const GUP_TEST =
  'the gup_test device: PIN_LONGTERM_TEST_START is pin_user_pages(FOLL_LONGTERM) of the page and PIN_LONGTERM_TEST_READ a read through the pin';
const SOFTDIRTY = 'soft-dirty is one flag per VMA (clear_refs makes every PTE soft-clean), not a bit per PTE';

/** anon_test_cases[]'s order (the GUP and GUP-fast cases alternate there). */
const ORDER: readonly string[] = [
  'Basic COW after fork()',
  'Basic COW after fork() with mprotect() optimization',
  'vmsplice() + unmap in child',
  'vmsplice() + unmap in child with mprotect() optimization',
  'vmsplice() before fork(), unmap in parent after fork()',
  'vmsplice() + unmap in parent after fork()',
  'R/O-mapping a page registered as iouring fixed buffer',
  'fork() with an iouring fixed buffer',
  'R/O GUP pin on R/O-mapped shared page',
  'R/O GUP-fast pin on R/O-mapped shared page',
  'R/O GUP pin on R/O-mapped previously-shared page',
  'R/O GUP-fast pin on R/O-mapped previously-shared page',
  'R/O GUP pin on R/O-mapped exclusive page',
  'R/O GUP-fast pin on R/O-mapped exclusive page',
];

/** The cases (the GUP / GUP-fast pairs are built together). */
const CASES: CowCase[] = [
  {
    name: 'Basic COW after fork()',
    passes: 'No leak from parent into child',
    mutation: (s) => (swapped(s) ? 'fork_keeps_swp_exclusive' : 'fork_keeps_anon_exclusive'),
    leavesOut: '',
    body: (k, P, r) => cowInParent(k, P, r, false, false),
  },
  {
    name: 'Basic COW after fork() with mprotect() optimization',
    passes: 'No leak from parent into child',
    // swapped: the parent's PTE is still a swap PTE when it mprotects (the child swapped in)
    mutation: (s) => (swapped(s) ? 'fork_keeps_swp_exclusive' : 'mprotect_ignores_anon_exclusive'),
    leavesOut: '',
    body: (k, P, r) => cowInParent(k, P, r, true, false),
  },
  {
    name: 'vmsplice() + unmap in child',
    passes: 'No leak from parent into child',
    mutation: () => 'mapcount_based_reuse',
    leavesOut: `${VMSPLICE} read after the parent wrote`,
    body: (k, P, r) => cowInParent(k, P, r, false, true),
  },
  {
    name: 'vmsplice() + unmap in child with mprotect() optimization',
    passes: 'No leak from parent into child',
    mutation: (s) => (swapped(s) ? 'mapcount_based_reuse' : 'mprotect_ignores_anon_exclusive'),
    leavesOut: `${VMSPLICE} read after the parent wrote`,
    body: (k, P, r) => cowInParent(k, P, r, true, true),
  },
  {
    name: 'vmsplice() before fork(), unmap in parent after fork()',
    passes: 'No leak from child into parent',
    mutation: () => 'mapcount_based_reuse',
    leavesOut: `${VMSPLICE} read after the child wrote`,
    body: (k, P, r) => vmspliceInParent(k, P, r, true),
  },
  {
    name: 'vmsplice() + unmap in parent after fork()',
    passes: 'No leak from child into parent',
    mutation: () => 'mapcount_based_reuse',
    leavesOut: `${VMSPLICE} read after the child wrote`,
    body: (k, P, r) => vmspliceInParent(k, P, r, false),
  },
  {
    name: 'R/O-mapping a page registered as iouring fixed buffer',
    passes: 'Longterm R/W pin is reliable',
    mutation: () => 'reuse_ignores_anon_exclusive',
    leavesOut: `${IOURING}; ${SOFTDIRTY}`,
    body: (k, P, r) => iouring(k, P, r, false),
  },
  {
    name: 'fork() with an iouring fixed buffer',
    passes: 'Longterm R/W pin is reliable',
    mutation: () => 'fork_shares_pinned_page',
    leavesOut: IOURING,
    body: (k, P, r) => iouring(k, P, r, true),
  },
  ...(['', '-fast'] as const).flatMap((fast): CowCase[] => [
    {
      name: `R/O GUP${fast} pin on R/O-mapped shared page`,
      passes: 'Longterm R/O pin is reliable',
      mutation: () => 'pin_without_unshare',
      leavesOut: GUP_TEST,
      body: (k, P, r) => roPin(k, P, r, 'shared', fast !== ''),
    },
    {
      name: `R/O GUP${fast} pin on R/O-mapped previously-shared page`,
      passes: 'Longterm R/O pin is reliable',
      mutation: () => 'pin_without_unshare',
      leavesOut: `${GUP_TEST}; the child's exit runs in the parent's thread (the parent wait()s for it)`,
      body: (k, P, r) => roPin(k, P, r, 'previously shared', fast !== ''),
    },
    {
      name: `R/O GUP${fast} pin on R/O-mapped exclusive page`,
      passes: 'Longterm R/O pin is reliable',
      mutation: () => 'reuse_ignores_anon_exclusive',
      leavesOut: `${GUP_TEST}; ${SOFTDIRTY}`,
      body: (k, P, r) => roPin(k, P, r, 'exclusive', fast !== ''),
    },
  ]),
];

/** anon_test_cases[] of cow.c, in its order. */
export const COW_CASES: readonly CowCase[] = CASES.sort(
  (a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name),
);

/** Run one case in one setup: explore every interleaving, harms only. */
function runCase(c: CowCase, setup: CowSetup, mutate?: Mutation, elide?: SiteId): SelftestOutcome {
  const model = scenario(
    `cow.c: ${c.name} (${setup.name})`,
    (k) => c.body(k, setup.build(k), setup.pages ?? [0]),
    {
      guards: false,
      ...(mutate ? { mutate } : {}),
      ...(elide ? { elide } : {}),
    },
  );
  const r = explore(model);
  if (r.verdict === 'holds') return { result: 'pass', detail: `${c.passes} (${r.text})` };
  // The harm, not the deadlock of a thread left waiting for the one the harm stopped.
  const v = r.violations.find((x) => x.kind !== 'deadlock') ?? r.counterexample;
  return { result: 'fail', detail: v ? `${v.assertion}: ${v.message}` : r.text };
}

/** The ports: every case in every setup of SETUPS. */
export function cowCases(setups: readonly CowSetup[] = SETUPS): SelftestCase[] {
  return setups.flatMap((setup) =>
    COW_CASES.map(
      (c): SelftestCase => ({
        source: SOURCE,
        name: c.name,
        setup: setup.name,
        expected: 'pass',
        leavesOut: [c.leavesOut, setup.leavesOut].filter((s) => s !== '').join('; '),
        mutation: setup.mutation ? setup.mutation(c.name, c.mutation(setup.name)) : c.mutation(setup.name),
        at: '109364fce504',
        run: (opts) => runCase(c, setup, opts?.mutate, opts?.elide),
      }),
    ),
  );
}

export const COW: readonly SelftestCase[] = cowCases();
