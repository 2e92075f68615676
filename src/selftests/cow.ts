import { explore } from '../explorer/index.ts';
import { type Process, type ScenarioBuilder, scenario, type ThreadBuilder } from '../sim/scenario.ts';
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
 * Ported here, in the setups "base page" and "swapped out base page" (do_run_with_base_page):
 * all fourteen anon_test_cases[], the two io_uring ones included (see their leavesOut).
 * Not ported (yet):
 * - the THP setups (run_with_thp, _swap, pte_mapped_thp, _swap, single_pte_of_thp, _swap,
 *   partial_mremap_thp, partial_shared_thp): they need large folios in the fault, COW, fork,
 *   zap and swap paths (issue 11, item 3) — add their setup functions to SETUPS;
 * - run_with_hugetlb: hugetlb is not modelled (no hugetlb_wp, no hugetlb rmap);
 * - the other test groups of cow.c: anon_thp_collapse_test_cases (MADV_COLLAPSE, khugepaged
 *   not modelled) and non_anon_test_cases (shared zeropage, huge zeropage, memfd, tmpfile,
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
}

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
];

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
  readonly body: (k: ScenarioBuilder, P: Process) => void;
}

const ALLOC = { alloc: 3 };

/**
 * do_test_cow_in_parent(mem, size, do_mprotect, fn): fork; the child runs fn (child_memcmp_fn
 * or child_vmsplice_memcmp_fn) and signals ready; the parent (mprotect(PROT_READ) +
 * mprotect(PROT_READ|PROT_WRITE) first if do_mprotect) memsets 0xff and signals; the child's
 * memcmp decides "No leak from parent into child".
 */
function cowInParent(k: ScenarioBuilder, P: Process, mprotect: boolean, vmsplice: boolean): void {
  const C = k.child(P, 'C');
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  k.thread(
    'parent',
    (t) => {
      forked.write(t.fork(P, C));
      childReady.read(t);
      if (mprotect) t.mprotect(P, 'r').mprotect(P, 'rw');
      t.store(P, 0, NEW); // memset(mem, 0xff, size)
      parentReady.write(t);
    },
    ALLOC,
  );
  k.thread(
    'child',
    (t) => {
      forked.read(t);
      t.load(C, 0); // memcpy(old, mem, size)
      if (vmsplice) {
        t.get_user_pages(C, 0, { fast: true }); // vmsplice(): iov_iter_get_pages (FOLL_GET)
        t.zap(C, [0]); // munmap(mem, size)
      }
      childReady.write(t);
      parentReady.read(t);
      if (vmsplice) t.readGupPage('snapshot', 'Leak from parent into child').unpin_user_page();
      else t.load(C, 0); // memcmp(old, mem, size): I13 is "Leak from parent into child"
    },
    ALLOC,
  );
}

/**
 * do_test_vmsplice_in_parent(mem, size, before_fork): vmsplice() in the parent before or after
 * fork(); the parent munmaps, the child memsets 0xff and exits; the pipe must read the old data.
 */
function vmspliceInParent(k: ScenarioBuilder, P: Process, beforeFork: boolean): void {
  const C = k.child(P, 'C');
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  const exited = pipe(k, 'wait()');
  k.thread(
    'parent',
    (t) => {
      t.load(P, 0); // memcpy(old, mem, size)
      if (beforeFork) t.get_user_pages(P, 0, { fast: true }); // vmsplice()
      forked.write(t.fork(P, C));
      if (!beforeFork) t.get_user_pages(P, 0, { fast: true }); // vmsplice()
      childReady.read(t);
      t.zap(P, [0]); // munmap(mem, size)
      parentReady.write(t);
      exited.read(t);
      t.readGupPage('snapshot', 'Leak from child into parent').unpin_user_page();
    },
    ALLOC,
  );
  k.thread(
    'child',
    (t) => {
      forked.read(t);
      childReady.write(t);
      parentReady.read(t);
      t.store(C, 0, NEW); // memset(mem, 0xff, size); exit(0)
      exited.write(t);
    },
    ALLOC,
  );
}

/**
 * do_test_iouring(mem, size, use_fork): io_uring_register_buffers() (FOLL_WRITE | FOLL_PIN |
 * FOLL_LONGTERM), then fork() or the R/O dance (mprotect(PROT_READ); clear_softdirty();
 * mprotect(PROT_READ|PROT_WRITE)), memset 0xff, and IORING_OP_WRITE_FIXED must write what mem
 * holds: "Longterm R/W pin is reliable".
 */
function iouring(k: ScenarioBuilder, P: Process, useFork: boolean): void {
  const C = useFork ? k.child(P, 'C') : null;
  const forked = pipe(k, 'fork() returned');
  const childReady = pipe(k, 'child_ready');
  const parentReady = pipe(k, 'parent_ready');
  k.thread(
    'parent',
    (t) => {
      t.pin_user_pages(P, 0, { write: true, longterm: true, fast: true }); // io_pin_pages()
      if (C !== null) {
        forked.write(t.fork(P, C));
        childReady.read(t);
      } else t.mprotect(P, 'r').clear_refs_soft_dirty(P).mprotect(P, 'rw');
      t.store(P, 0, NEW);
      t.readGupPage('mapped', 'Longterm R/W pin is reliable'); // write_fixed; pread; memcmp
      if (C !== null) parentReady.write(t);
      t.unpin_user_page(); // io_uring_unregister_buffers()
    },
    ALLOC,
  );
  if (C !== null)
    k.thread(
      'child',
      (t) => {
        forked.read(t);
        childReady.write(t);
        parentReady.read(t); // exit(0)
      },
      ALLOC,
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
function roPin(k: ScenarioBuilder, P: Process, test: RoPin, fast: boolean): void {
  const C = test === 'exclusive' ? null : k.child(P, 'C');
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
      t.pin_user_pages(P, 0, { longterm: true, fast });
      t.store(P, 0, NEW);
      t.readGupPage('mapped', 'Longterm R/O pin is reliable');
      t.unpin_user_page(); // PIN_LONGTERM_TEST_STOP
      if (test === 'shared') parentReady.write(t);
    },
    ALLOC,
  );
  if (C !== null && test === 'shared')
    k.thread(
      'child',
      (t) => {
        forked.read(t);
        childReady.write(t);
        parentReady.read(t); // exit(0)
      },
      ALLOC,
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
    body: (k, P) => cowInParent(k, P, false, false),
  },
  {
    name: 'Basic COW after fork() with mprotect() optimization',
    passes: 'No leak from parent into child',
    // swapped: the parent's PTE is still a swap PTE when it mprotects (the child swapped in)
    mutation: (s) => (swapped(s) ? 'fork_keeps_swp_exclusive' : 'mprotect_ignores_anon_exclusive'),
    leavesOut: '',
    body: (k, P) => cowInParent(k, P, true, false),
  },
  {
    name: 'vmsplice() + unmap in child',
    passes: 'No leak from parent into child',
    mutation: () => 'mapcount_based_reuse',
    leavesOut: `${VMSPLICE} read after the parent wrote`,
    body: (k, P) => cowInParent(k, P, false, true),
  },
  {
    name: 'vmsplice() + unmap in child with mprotect() optimization',
    passes: 'No leak from parent into child',
    mutation: (s) => (swapped(s) ? 'mapcount_based_reuse' : 'mprotect_ignores_anon_exclusive'),
    leavesOut: `${VMSPLICE} read after the parent wrote`,
    body: (k, P) => cowInParent(k, P, true, true),
  },
  {
    name: 'vmsplice() before fork(), unmap in parent after fork()',
    passes: 'No leak from child into parent',
    mutation: () => 'mapcount_based_reuse',
    leavesOut: `${VMSPLICE} read after the child wrote`,
    body: (k, P) => vmspliceInParent(k, P, true),
  },
  {
    name: 'vmsplice() + unmap in parent after fork()',
    passes: 'No leak from child into parent',
    mutation: () => 'mapcount_based_reuse',
    leavesOut: `${VMSPLICE} read after the child wrote`,
    body: (k, P) => vmspliceInParent(k, P, false),
  },
  {
    name: 'R/O-mapping a page registered as iouring fixed buffer',
    passes: 'Longterm R/W pin is reliable',
    mutation: () => 'reuse_ignores_anon_exclusive',
    leavesOut: `${IOURING}; ${SOFTDIRTY}`,
    body: (k, P) => iouring(k, P, false),
  },
  {
    name: 'fork() with an iouring fixed buffer',
    passes: 'Longterm R/W pin is reliable',
    mutation: () => 'fork_shares_pinned_page',
    leavesOut: IOURING,
    body: (k, P) => iouring(k, P, true),
  },
  ...(['', '-fast'] as const).flatMap((fast): CowCase[] => [
    {
      name: `R/O GUP${fast} pin on R/O-mapped shared page`,
      passes: 'Longterm R/O pin is reliable',
      mutation: () => 'pin_without_unshare',
      leavesOut: GUP_TEST,
      body: (k, P) => roPin(k, P, 'shared', fast !== ''),
    },
    {
      name: `R/O GUP${fast} pin on R/O-mapped previously-shared page`,
      passes: 'Longterm R/O pin is reliable',
      mutation: () => 'pin_without_unshare',
      leavesOut: `${GUP_TEST}; the child's exit runs in the parent's thread (the parent wait()s for it)`,
      body: (k, P) => roPin(k, P, 'previously shared', fast !== ''),
    },
    {
      name: `R/O GUP${fast} pin on R/O-mapped exclusive page`,
      passes: 'Longterm R/O pin is reliable',
      mutation: () => 'reuse_ignores_anon_exclusive',
      leavesOut: `${GUP_TEST}; ${SOFTDIRTY}`,
      body: (k, P) => roPin(k, P, 'exclusive', fast !== ''),
    },
  ]),
];

/** anon_test_cases[] of cow.c, in its order. */
export const COW_CASES: readonly CowCase[] = CASES.sort(
  (a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name),
);

/** Run one case in one setup: explore every interleaving, harms only. */
function runCase(c: CowCase, setup: CowSetup, mutate?: Mutation): SelftestOutcome {
  const model = scenario(`cow.c: ${c.name} (${setup.name})`, (k) => c.body(k, setup.build(k)), {
    guards: false,
    ...(mutate ? { mutate } : {}),
  });
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
        mutation: c.mutation(setup.name),
        run: (opts) => runCase(c, setup, opts?.mutate),
      }),
    ),
  );
}

export const COW: readonly SelftestCase[] = cowCases();
