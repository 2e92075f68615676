import { describe, expect, test } from 'vitest';
import {
  explore,
  type Folio,
  folio_maybe_mapped_shared,
  type ScenarioBuilder,
  type ScenarioOptions,
  SimMisuse,
  scenario,
  violated,
} from '../../src/sim/index.ts';

/**
 * Large (PTE-mapped) anon folios: mTHP faults, partial zap, mremap of part of a folio, fork,
 * COW on one page (with the large-folio reuse of each era), and both mapcount configs. Every
 * scenario also checks the invariants (I2 mapcount = PTEs, I13 a load returns what the process
 * wrote or inherited, I16 large-folio aggregates, …); the snapshots check the data and counts.
 */

type Snap = Record<string, unknown>;

/** folio_maybe_mapped_shared() as a probe reads it (it needs a task only for the config). */
function folio_maybe_mapped_shared_of(k: ScenarioBuilder, f: Folio): boolean {
  return folio_maybe_mapped_shared({ k: k.k } as Parameters<typeof folio_maybe_mapped_shared>[0], f);
}

/** The counts of a large folio as the kernel keeps them. */
function counts(f: Folio): Snap {
  return {
    refcount: f.refcount,
    large_mapcount: f.large_mapcount,
    nr_pages_mapped: f.nr_pages_mapped,
    pages: Array.from({ length: f.nr }, (_, i) => f.pageMapcount(i)),
    exclusive: Array.from({ length: f.nr }, (_, i) => f.pageExclusive(i)),
    mm_ids: [f.mmId(0), f.mmIdMapcount(0), f.mmId(1), f.mmIdMapcount(1), f.mm_ids_shared],
    freed: f.freed,
  };
}

/** Run a one-execution scenario whose last thread op records `probe()`; return the record. */
function run(
  build: (k: ScenarioBuilder, probe: (f: () => Snap) => void) => void,
  opts: ScenarioOptions = {},
): { snap: Snap; verdict: string; violated: string[] } {
  let snap: Snap = {};
  const s = scenario(
    'large folio',
    (k) =>
      build(k, (f) => {
        snap = f();
      }),
    opts,
  );
  const r = explore(s);
  return { snap, verdict: r.verdict, violated: violated(r) };
}

/** A thread op that records a snapshot after the thread's previous ops. */
function probeOp(probe: (f: () => Snap) => void, f: () => Snap) {
  return function* () {
    yield 'probe';
    probe(f);
  };
}

const ERAS_OF_MAPCOUNT: ScenarioOptions[] = [{ mapcount: 'per-page' }, { mapcount: 'no-page-mapcount' }];

describe('mTHP fault (do_anonymous_page → alloc_anon_folio)', () => {
  test.each(ERAS_OF_MAPCOUNT)('a write maps the whole 16-page folio, every page exclusive (%o)', (opts) => {
    let f: Folio | null = null;
    const r = run((k, probe) => {
      const A = k.process('A', { pages: 16, mthp: [16, 4] });
      k.thread('T', (t) =>
        t
          .store(A, 5, 7)
          .load(A, 4)
          .load(A, 6)
          .run(
            probeOp(probe, () => {
              f = k.k.lookup<Folio>('folio#T.1x16', 'folio');
              return { ...counts(f), read5: f.pageContent(5), read4: f.pageContent(4) };
            }),
          ),
      );
    }, opts);
    expect(r.verdict).toBe('holds');
    const per = opts.mapcount === 'per-page';
    expect(r.snap).toEqual({
      refcount: 16,
      large_mapcount: 16,
      nr_pages_mapped: per ? 16 : 0,
      pages: Array(16).fill(per ? 1 : 0),
      exclusive: Array(16).fill(true),
      mm_ids: ['mm#A', 16, null, 0, false],
      freed: false,
      read5: 7,
      read4: 0,
    });
  });

  test('a populated PTE in the 16-page range falls back to the 4-page order around the address', () => {
    const r = run((k, probe) => {
      const A = k.process('A', { pages: 16, mthp: [16, 4] });
      k.thp(A, 0, 4);
      k.thread('T', (t) =>
        t.store(A, 9, 3).run(
          probeOp(probe, () => ({
            small16: k.k.has('folio#T.1x16') && k.k.lookup<Folio>('folio#T.1x16', 'folio').exists(),
            ptes: [7, 8, 11, 12].map((a) => A.pt.peekPte(a).t),
            ...counts(k.k.lookup<Folio>('folio#T.1x4', 'folio')),
          })),
        ),
      );
    });
    expect(r.verdict).toBe('holds');
    expect(r.snap.small16).toBe(false);
    expect(r.snap.ptes).toEqual(['none', 'present', 'present', 'none']);
    expect(r.snap.large_mapcount).toBe(4);
  });

  test('two faults race into one 4-page range: one maps the folio, the other backs out under the PTL (pte_range_none) and retries', () => {
    const s = scenario('mTHP fault race', (k) => {
      const A = k.process('A', { pages: 4, mthp: [4] });
      k.thread('T1', (t) => t.store(A, 0, 1).load(A, 0));
      k.thread('T2', (t) => t.store(A, 3, 2).load(A, 3));
      k.sometimes('both allocated a 4-page folio', () => {
        const a = k.allocatedLarge('T1', 1, 4);
        const b = k.allocatedLarge('T2', 1, 4);
        return a !== null && b !== null;
      });
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(r.witnesses['both allocated a 4-page folio']?.reached).toBe(true);
  });

  test('anonymous mTHP has no order 1: a 2-page size is refused (THP_ORDERS_ALL_ANON)', () => {
    expect(() => explore(scenario('order 1', (k) => void k.process('A', { pages: 4, mthp: [2] })))).toThrow(
      SimMisuse,
    );
  });
});

describe('partial zap and mremap of a PTE-mapped THP', () => {
  test.each(ERAS_OF_MAPCOUNT)(
    'MADV_DONTNEED of the middle pages: the rest keeps its data, counts drop per page (%o)',
    (opts) => {
      const r = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const F = k.thp(A, 0, 4, { content: 10 });
        k.thread('T', (t) =>
          t
            .zap(A, [1, 2])
            .load(A, 0)
            .load(A, 3)
            .run(probeOp(probe, () => ({ ...counts(F), data: [F.pageContent(0), F.pageContent(3)] }))),
        );
      }, opts);
      expect(r.verdict).toBe('holds');
      const per = opts.mapcount === 'per-page';
      expect(r.snap).toMatchObject({
        refcount: 2,
        large_mapcount: 2,
        nr_pages_mapped: per ? 2 : 0,
        pages: per ? [1, 0, 0, 1] : [0, 0, 0, 0],
        mm_ids: ['mm#A', 2, null, 0, false],
        data: [10, 13],
      });
    },
  );

  test.each(ERAS_OF_MAPCOUNT)(
    'zapping every page frees the folio with its aggregates back at zero (%o)',
    (opts) => {
      const r = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const F = k.thp(A, 0, 4);
        k.thread('T', (t) =>
          t
            .zap(A, [0, 3])
            .zap(A, [1, 2])
            .run(probeOp(probe, () => counts(F))),
        );
      }, opts);
      expect(r.verdict).toBe('holds');
      expect(r.snap).toMatchObject({
        refcount: 0,
        large_mapcount: 0,
        freed: true,
        mm_ids: [null, 0, null, 0, false],
      });
    },
  );

  test('mremap of the upper half: the moved PTEs read the same pages, counts unchanged; the helper builds the same state', () => {
    const viaOps = run((k, probe) => {
      const A = k.process('A', { pages: 8 });
      const F = k.thp(A, 0, 4, { content: 20 });
      k.thread('T', (t) =>
        t
          .mremap(A, 2, 6, 2)
          .load(A, 6)
          .load(A, 7)
          .run(
            probeOp(probe, () => ({
              ...counts(F),
              ptes: [0, 1, 2, 3, 6, 7].map((a) => A.pt.peekPte(a)),
              data: [6, 7].map((a) => {
                const p = A.pt.peekPte(a);
                return p.t === 'present' ? F.pageContent(p.page) : null;
              }),
            })),
          ),
      );
    });
    expect(viaOps.verdict).toBe('holds');
    expect(viaOps.snap.data).toEqual([22, 23]);
    expect(viaOps.snap).toMatchObject({ refcount: 4, large_mapcount: 4 });
    const viaHelper = run((k, probe) => {
      const A = k.process('A', { pages: 8 });
      const F = k.thpPartiallyRemapped(A, 0, 4, 6, { content: 20 });
      k.thread('T', (t) =>
        t.run(probeOp(probe, () => ({ ...counts(F), ptes: [0, 1, 2, 3, 6, 7].map((a) => A.pt.peekPte(a)) }))),
      );
    });
    const { data: _d, ...opsState } = viaOps.snap;
    expect(viaHelper.snap).toEqual(opsState);
  });

  test('thpSinglePte() is the state MADV_DONTNEED of all but the first page leaves (per-page and no-page mapcount)', () => {
    for (const opts of ERAS_OF_MAPCOUNT) {
      const viaOps = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const F = k.thp(A, 0, 4);
        k.thread('T', (t) =>
          t.zap(A, [1, 2, 3]).run(probeOp(probe, () => ({ ...counts(F), pte0: A.pt.peekPte(0) }))),
        );
      }, opts);
      const viaHelper = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const F = k.thpSinglePte(A, 0, 4);
        k.thread('T', (t) => t.run(probeOp(probe, () => ({ ...counts(F), pte0: A.pt.peekPte(0) }))));
      }, opts);
      expect(viaHelper.snap).toEqual(viaOps.snap);
    }
  });
});

describe('fork and COW of a PTE-mapped THP', () => {
  test.each(ERAS_OF_MAPCOUNT)(
    'fork shares every page: exclusivity cleared, both mms counted, "maybe mapped shared" (%o)',
    (opts) => {
      const r = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const F = k.thp(A, 0, 4, { content: 30 });
        const B = k.child(A, 'B');
        k.thread('T', (t) =>
          t
            .fork(A, B)
            .load(B, 2)
            .run(probeOp(probe, () => ({ ...counts(F), wr: [0, 1, 2, 3].map((a) => A.pt.peekPte(a)) }))),
        );
      }, opts);
      expect(r.verdict).toBe('holds');
      const per = opts.mapcount === 'per-page';
      expect(r.snap).toMatchObject({
        refcount: 8,
        large_mapcount: 8,
        pages: per ? [2, 2, 2, 2] : [0, 0, 0, 0],
        exclusive: [false, false, false, false],
        mm_ids: ['mm#A', 4, 'mm#B', 4, true],
      });
      expect((r.snap.wr as Array<{ write: boolean }>).every((p) => !p.write)).toBe(true);
    },
  );

  /**
   * Parent A writes page 1 while child B maps the folio (copy: B keeps its data); B exits; A
   * writes page 2. With MM-owner tracking (era 'today') the folio is "mapped exclusively" by A
   * again and its mapcount equals its refcount: A reuses it (no second copy). Before it (era
   * '2023', v6.3–v6.12) a large anon folio is never reused: A copies again.
   */
  function cowAfterFork(opts: ScenarioOptions) {
    return run((k, probe) => {
      const A = k.process('A', { pages: 4 });
      const F = k.thp(A, 0, 4, { content: 40 });
      const B = k.child(A, 'B');
      k.thread(
        'T',
        (t) =>
          t
            .fork(A, B)
            .store(A, 1, 99)
            .load(B, 1)
            .exit_mmap(B)
            .store(A, 2, 77)
            .load(A, 2)
            .load(A, 3)
            .run(
              probeOp(probe, () => ({
                ...counts(F),
                copies: [1, 2].filter((n) => k.allocated('T', n) !== null).length,
                page1: A.pt.peekPte(1),
                page2: A.pt.peekPte(2),
              })),
            ),
        { alloc: 2 },
      );
    }, opts);
  }

  test('era today: the first write copies (shared with the child), the write after the child exited reuses the folio', () => {
    for (const mapcount of ['per-page', 'no-page-mapcount'] as const) {
      const r = cowAfterFork({ mapcount });
      expect(r.verdict).toBe('holds');
      expect(r.snap.copies).toBe(1);
      expect(r.snap.page1).toEqual({ t: 'present', folio: 'folio#T.1', page: 0, write: true });
      expect(r.snap.page2).toMatchObject({ folio: 'folio#1', page: 2, write: true });
      expect(r.snap).toMatchObject({ refcount: 3, large_mapcount: 3, mm_ids: ['mm#A', 3, null, 0, false] });
      expect((r.snap.exclusive as boolean[])[2]).toBe(true);
    }
  });

  test('era 2023 (before CONFIG_MM_ID): a large anon folio is never reused, both writes copy', () => {
    const r = cowAfterFork({ era: '2023' });
    expect(r.verdict).toBe('holds');
    expect(r.snap.copies).toBe(2);
    expect(r.snap.page2).toMatchObject({ folio: 'folio#T.2', page: 0, write: true });
    expect(r.snap).toMatchObject({ refcount: 2, large_mapcount: 2 });
  });

  test('CONFIG_NO_PAGE_MAPCOUNT does not exist before v6.15', () => {
    expect(() => cowAfterFork({ era: '2023', mapcount: 'no-page-mapcount' })).toThrow(SimMisuse);
  });

  test("mutation large_reuse_ignores_mapped_shared: the parent reuses a folio the child still maps, the child reads the parent's write (I13)", () => {
    const build = (k: ScenarioBuilder) => {
      const A = k.process('A', { pages: 4 });
      k.thp(A, 0, 4, { content: 50 });
      const B = k.child(A, 'B');
      k.thread('T', (t) => t.fork(A, B).store(A, 1, 99).load(B, 1));
    };
    expect(explore(scenario('COW of a shared THP', build)).verdict).toBe('holds');
    for (const mapcount of ['per-page', 'no-page-mapcount'] as const) {
      const r = explore(
        scenario('COW of a shared THP (mutated)', build, {
          mapcount,
          mutate: 'large_reuse_ignores_mapped_shared',
          guards: false,
        }),
      );
      expect(r.verdict).toBe('breaks');
      expect(violated(r)).toEqual(['I13']);
    }
  });

  test("fork racing the child-side COW of one page: every interleaving keeps both processes' data (exhaustive)", () => {
    const s = scenario('THP fork vs writes', (k) => {
      const A = k.process('A', { pages: 4 });
      k.thp(A, 0, 4, { content: 60 });
      const B = k.forked(A, 'B');
      k.thread('A', (t) => t.store(A, 0, 1).load(A, 1), { alloc: 1 });
      k.thread('B', (t) => t.store(B, 1, 2).load(B, 0), { alloc: 1 });
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
  });

  test("COW of a THP page racing the child's exit: A reuses the folio only once the exit dropped both mappings and references; every interleaving keeps the data (exhaustive)", () => {
    const s = scenario('THP COW vs exit', (k) => {
      const A = k.process('A', { pages: 4 });
      const F = k.thp(A, 0, 4, { content: 150 });
      const B = k.forked(A, 'B');
      k.thread('exitB', (t) => t.exit_mmap(B));
      k.thread('A', (t) => t.store(A, 1, 9).load(A, 2).load(A, 1));
      k.sometimes('A reused the folio', () => {
        const p = A.pt.peekPte(1);
        return p.t === 'present' && p.folio === F.name && p.write;
      }, [A.pt.pteObjects()[1]]);
      k.sometimes('A copied page 1', () => {
        const p = A.pt.peekPte(1);
        return p.t === 'present' && p.folio !== F.name;
      }, [A.pt.pteObjects()[1]]);
      k.sometimes(
        "B's mappings are gone but the mmu_gather still holds its references (no reuse yet)",
        () => F.large_mapcount === 4 && F.refcount > 4,
        F.objects(),
      );
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    for (const [name, w] of Object.entries(r.witnesses)) expect(w.reached, name).toBe(true);
  });

  test('a GUP reference on the THP blocks reuse (refcount > mapcount): the write copies its page', () => {
    const r = run((k, probe) => {
      const A = k.process('A', { pages: 4 });
      const F = k.thpPartiallyShared(A, 0, 4, { content: 160 });
      k.thread('T', (t) =>
        t
          .gup(A, 3)
          .store(A, 0, 1)
          .readGup()
          .run(probeOp(probe, () => ({ ...counts(F), copied: k.allocated('T') !== null }))),
      );
    });
    expect(r.verdict).toBe('holds');
    expect(r.snap).toMatchObject({ copied: true, large_mapcount: 3, refcount: 3 });
  });

  test('cow.c setups: partially shared THP — page 0 read-only and not exclusive, the rest exclusive; a write to page 0 reuses the folio today', () => {
    const r = run((k, probe) => {
      const A = k.process('A', { pages: 4 });
      const F = k.thpPartiallyShared(A, 0, 4, { content: 70 });
      k.thread('T', (t) =>
        t
          .store(A, 0, 5)
          .load(A, 1)
          .run(probeOp(probe, () => ({ ...counts(F), copied: k.allocated('T') !== null }))),
      );
    });
    expect(r.verdict).toBe('holds');
    expect(r.snap).toMatchObject({
      copied: false,
      exclusive: [true, true, true, true],
      mm_ids: ['mm#A', 4, null, 0, false],
    });
  });
});

describe('"maybe mapped shared" across eras', () => {
  test('three mms (CONFIG_MM_ID tracks two): after two of them unmap, the folio still counts as maybe shared, so the last one copies instead of reusing', () => {
    // the commit's "Example 2": App3 takes no slot; App1 and App2 unmap; "maybe mapped shared"
    const r = run((k, probe) => {
      const A = k.process('A', { pages: 4 });
      const F = k.thp(A, 0, 4, { content: 140 });
      const B = k.child(A, 'B');
      const C = k.child(A, 'C');
      k.thread('T', (t) => t.fork(A, B).fork(A, C).exit_mmap(A).exit_mmap(B), { alloc: 1 });
      k.thread('U', (t) =>
        t
          .after('both forks and exits done', () => !B.mm.has_vmas)
          .store(C, 0, 1)
          .load(C, 1)
          .run(probeOp(probe, () => ({ ...counts(F), copied: k.allocated('U') !== null }))),
      );
    });
    expect(r.verdict).toBe('holds');
    expect(r.snap).toMatchObject({ large_mapcount: 3, mm_ids: [null, 0, null, 0, true], copied: true });
  });

  test('folio_maybe_mapped_shared when each mm maps half of the folio: the shared bit today; folio_likely_mapped_shared (2023) guesses from page 0 and says no', () => {
    for (const opts of [{}, { era: '2023' as const }]) {
      const r = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const F = k.thp(A, 0, 4);
        const B = k.child(A, 'B');
        k.thread('T', (t) =>
          t
            .fork(A, B)
            .zap(A, [2, 3])
            .zap(B, [0, 1])
            .run(
              probeOp(probe, () => ({
                shared: folio_maybe_mapped_shared_of(k, F),
                mapcount: F.large_mapcount,
              })),
            ),
        );
      }, opts);
      expect(r.verdict).toBe('holds');
      // mapcount 4 = nr and page 0 is mapped once: "can wrongly indicate mapped exclusively
      // (false negative) when the folio is only partially mapped into at least one MM"
      expect(r.snap).toEqual({ shared: opts.era === undefined, mapcount: 4 });
    }
  });
});

describe('swap-out and swap-in of a PTE-mapped THP', () => {
  test.each(ERAS_OF_MAPCOUNT)(
    'reclaim swaps the folio out whole to 4 aligned entries; each page comes back with its data (%o)',
    (opts) => {
      const r = run((k, probe) => {
        const A = k.process('A', { pages: 4 });
        const slots = [0, 1, 2, 3].map(() => k.swapSlot());
        const F = k.thp(A, 0, 4, { content: 80 });
        k.thread(
          'T',
          (t) =>
            t
              .reclaim(A, 0)
              .run(
                probeOp(probe, () => ({
                  freed: F.freed,
                  ptes: [0, 1, 2, 3].map((a) => A.pt.peekPte(a)),
                  data: slots.map((s) => s.data),
                })),
              )
              .load(A, 0)
              .load(A, 1)
              .load(A, 2)
              .load(A, 3),
          { alloc: 4 },
        );
      }, opts);
      expect(r.verdict).toBe('holds');
      expect(r.snap.freed).toBe(true);
      expect(r.snap.data).toEqual([80, 81, 82, 83]);
      expect(r.snap.ptes).toEqual([0, 1, 2, 3].map((i) => ({ t: 'swap', entry: `swp#${i}`, excl: true })));
    },
  );

  test('reclaim against a process that writes the THP: every interleaving keeps the data (exhaustive)', () => {
    const s = scenario('THP reclaim vs store', (k) => {
      const A = k.process('A', { pages: 4 });
      for (let i = 0; i < 4; i++) k.swapSlot();
      const F = k.thp(A, 0, 4, { content: 90 });
      k.thread('reclaim', (t) => t.shrink_folio_list(F));
      k.thread('A', (t) => t.store(A, 1, 5).load(A, 2).load(A, 1), { alloc: 2 });
    });
    expect(explore(s).verdict).toBe('holds');
  });

  /** A THP kept in the swap cache: a GUP reference makes pageout() keep it after try_to_unmap. */
  function keptInSwapCache(k: ScenarioBuilder, content: number) {
    const A = k.process('A', { pages: 4 });
    for (let i = 0; i < 4; i++) k.swapSlot();
    const F = k.thp(A, 0, 4, { content });
    return { A, F };
  }

  test('swapin from the swap cache maps the whole large folio when all its swap PTEs are intact (swap_pte_batch)', () => {
    const r = run((k, probe) => {
      const { A, F } = keptInSwapCache(k, 110);
      k.thread('T', (t) =>
        t
          .gup(A, 0)
          .reclaim(A, 0)
          .run(probeOp(probe, () => ({ ...counts(F) })))
          .load(A, 2)
          .readGup()
          .run(
            probeOp(probe, () => ({
              ...counts(F),
              swapcache: F.swapcache,
              ptes: [0, 1, 2, 3].map((a) => A.pt.peekPte(a)),
            })),
          ),
      );
    });
    expect(r.verdict).toBe('holds');
    expect(r.snap).toMatchObject({
      refcount: 8,
      large_mapcount: 4,
      exclusive: [true, true, true, true],
      swapcache: true,
    });
    expect(r.snap.ptes).toEqual(
      [0, 1, 2, 3].map((i) => ({ t: 'present', folio: 'folio#1', page: i, write: true })),
    );
  });

  test('with one swap PTE gone, swapin maps only the faulting page of the swap-cache folio', () => {
    const r = run((k, probe) => {
      const { A, F } = keptInSwapCache(k, 120);
      k.thread('T', (t) =>
        t
          .gup(A, 0)
          .reclaim(A, 0)
          .zap(A, [0])
          .load(A, 2)
          .run(probeOp(probe, () => ({ ...counts(F), ptes: [1, 2, 3].map((a) => A.pt.peekPte(a).t) }))),
      );
    });
    expect(r.verdict).toBe('holds');
    expect(r.snap.ptes).toEqual(['swap', 'present', 'swap']);
    expect(r.snap.large_mapcount).toBe(1);
  });

  test('thpSwappedOut() is the state reclaim of a PTE-mapped THP leaves', () => {
    const state = (
      A: { pt: { peekPte: (a: number) => unknown } },
      slots: Array<{ count: number; data: number | null; has_cache: boolean }>,
    ) => ({
      ptes: [0, 1, 2, 3].map((a) => A.pt.peekPte(a)),
      slots: slots.map((s) => [s.count, s.data, s.has_cache]),
    });
    const viaOps = run((k, probe) => {
      const A = k.process('A', { pages: 4 });
      const slots = [0, 1, 2, 3].map(() => k.swapSlot());
      k.thp(A, 0, 4, { content: 130 });
      k.thread('T', (t) => t.reclaim(A, 0).run(probeOp(probe, () => state(A, slots))));
    });
    const viaHelper = run((k, probe) => {
      const A = k.process('A', { pages: 4 });
      const slots = k.thpSwappedOut(A, 0, 4, { content: 130 });
      k.thread('T', (t) => t.run(probeOp(probe, () => state(A, slots))));
    });
    expect(viaHelper.snap).toEqual(viaOps.snap);
  });
});

describe("every size: fork, COW, partial unmap and a swap round trip keep each process's data", () => {
  test.each([4, 8, 16])('%i-page THP', (nr) => {
    for (const opts of ERAS_OF_MAPCOUNT) {
      const all = Array.from({ length: nr }, (_, i) => i);
      const r = run((k, probe) => {
        const A = k.process('A', { pages: nr });
        const slots = all.map(() => k.swapSlot());
        const F = k.thp(A, 0, nr, { content: 1000 });
        const B = k.child(A, 'B');
        k.thread(
          'T',
          (t) => {
            t.fork(A, B)
              .store(A, 1, 7)
              .zap(B, [nr - 1])
              .reclaim(A, 0);
            for (const a of all) t.load(A, a).load(B, a);
            t.run(
              probeOp(probe, () => ({
                freed: F.freed,
                a: all.map((a) => {
                  const p = A.pt.peekPte(a);
                  return p.t === 'present' ? k.k.lookup<Folio>(p.folio, 'folio').pageContent(p.page) : null;
                }),
                slots: slots.map((s) => s.data),
              })),
            );
          },
          { alloc: 2 * nr + 1 },
        );
      }, opts);
      expect(r.verdict, `${nr} pages, ${opts.mapcount}`).toBe('holds');
      // page 1 of A was copied before reclaim, so slot 1 got the child's copy of it
      expect(r.snap.a).toEqual(all.map((i) => (i === 1 ? 7 : 1000 + i)));
      expect(r.snap.slots).toEqual(all.map((i) => 1000 + i));
      expect(r.snap.freed).toBe(true);
    }
  });
});

describe('R5 keeps meaning what it says', () => {
  test('the per-page zap fast path (page_zap_pte_rmap) still leaves _nr_pages_mapped behind: "Bad page state" (I16); it has no meaning without per-page mapcounts', () => {
    const build = (k: ScenarioBuilder) => {
      const A = k.process('A', { pages: 4 });
      k.anonFolio(A, 0, { nr: 4 });
      k.thread('T', (t) => t.zap(A, [0, 1, 2, 3]));
    };
    expect(explore(scenario('R5', build)).verdict).toBe('holds');
    expect(violated(explore(scenario('R5', build, { mutate: 'page_zap_pte_rmap' })))).toContain('I16');
    expect(() =>
      explore(scenario('R5', build, { mutate: 'page_zap_pte_rmap', mapcount: 'no-page-mapcount' })),
    ).toThrow(SimMisuse);
  });
});
