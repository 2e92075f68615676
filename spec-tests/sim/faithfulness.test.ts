import { describe, expect, test } from 'vitest';
import { explore, scenario } from '../../src/sim/index.ts';
import { filemap_remove_folio } from '../../src/sim/ops/filemap.ts';
import { handle_mm_fault } from '../../src/sim/ops/memory.ts';
import { folio_add_lru } from '../../src/sim/ops/swap.ts';

/**
 * Details found unfaithful when the ops were compared with the kernel source (see each op's
 * doc comment for the tree read). Each test failed before its fix.
 */
describe('ops follow the kernel source', () => {
  test('try_to_unmap_one marks a folio written through its PTE dirty, so reclaim writes it out again (pte_dirty → folio_mark_dirty)', () => {
    // P swaps in a clean swap-cache folio while reclaim's reference check keeps it in the swap
    // cache, writes 9 to it, and reclaims it: pageout() must write 9 before __remove_mapping().
    const s = scenario('swap-cache folio rewritten then reclaimed', (k) => {
      const P = k.process('P', { pages: 1 });
      const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
      k.thread('P', (t) => t.store(P, 0, 9).reclaim(P, 0).load(P, 0), { alloc: 2 });
      k.thread('reclaim', (t) => t.folio_referenced(folio!));
    });
    const r = explore(s);
    expect(r.text).toMatch(/^holds: exhaustive/);
    expect(r.verdict).toBe('holds');
  });

  test('free_swap_and_cache_nr: the last swap PTE zapped frees the unmapped swap-cache folio and marks it dirty (folio_set_dirty)', () => {
    let seen = false;
    const s = scenario('zap the last swap PTE of a cached entry', (k) => {
      const P = k.process('P', { pages: 1 });
      const { folio } = k.swapped(P, 0, { cached: true, written: true, content: 5 });
      const extra = k.k.mem.key(folio!.name, 'refcount');
      k.k.setup(extra, 2); // someone (a pipe) still holds the folio after the swap cache lets go
      k.thread('zap', (t) => t.zap(P, [0]));
      k.always(
        'the folio leaves the swap cache dirty',
        () => {
          if (folio!.swapcache) return true;
          seen = true;
          return folio!.dirty || 'left the swap cache clean';
        },
        folio!.fields('swapcache', 'dirty'),
      );
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(seen).toBe(true);
  });
  test('filemap_map_pages unlocks and puts the folio before pte_unmap_unlock (mm/filemap.c): truncate can take the folio lock while fault-around still holds the PTL', () => {
    let reached = false;
    const s = scenario(
      'fault-around: folio_unlock under the PTL',
      (k) => {
        const file = k.file(1);
        const F = k.fileFolio(file, 0);
        const A = k.process('A', { pages: 1, file });
        k.thread('truncate', (t) => t.truncate(file, 0));
        k.thread('fault', (t) => t.load(A, 0));
        k.always('fault-around holds the PTL while truncate holds the folio lock only after folio_unlock', () => {
          if (F.lock.holder() === 0 && A.pt.ptl.holder() === 1) reached = true;
          return true;
        }, [F.lock, A.pt.ptl]);
      },
      { checks: ['I3', 'I3b', 'I9'] },
    );
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(reached).toBe(true);
  });

  test('filemap_remove_folio of an unlocked folio is BUG_ON(!folio_test_locked(folio)) (mm/filemap.c)', () => {
    const s = scenario('remove an unlocked folio from the page cache', (k) => {
      const file = k.file(1);
      const F = k.fileFolio(file, 0);
      k.thread('remover', (t) =>
        t.run(function* (task) {
          yield 'remove without folio_lock()';
          filemap_remove_folio(task, file, 0, F);
        }),
      );
    });
    const r = explore(s, { stopOnViolation: true });
    expect(r.verdict).toBe('breaks');
    expect(r.counterexample!.assertion).toBe('BUG_ON');
  });

  test('do_swap_page maps an exclusive swap entry writable on a read fault too (VM_WRITE: pte_mkwrite), so the later store takes no fault (mm/memory.c)', () => {
    let mapped = false;
    const s = scenario('read swapin of an exclusive entry', (k) => {
      const P = k.process('P', { pages: 1 });
      k.swapped(P, 0, { content: 5 });
      k.thread('P', (t) => t.load(P, 0), { alloc: 1 });
      k.always('the swapped-in PTE is writable', () => {
        const p = P.pt.peekPte(0);
        if (p.t !== 'present') return true;
        mapped = true;
        return p.write || 'mapped read-only';
      }, [P.pt.pteObjects()[0]]);
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(mapped).toBe(true);
  });

  test("copy_nonpresent_pte copies a migration entry into the child (readable in both): fork racing migration keeps the child's data (mm/memory.c)", () => {
    let raced = false;
    const s = scenario('fork while the page is a migration entry', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 7 });
      const C = k.child(P, 'C');
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.thread('fork', (t) => t.fork(P, C).load(C, 0), { alloc: 1 });
      k.always('a forked child never lacks the page', () => {
        const c = C.pt.peekPte(0);
        if (c.t === 'migration') raced = true;
        return true;
      }, [C.pt.pteObjects()[0]]);
    });
    const r = explore(s);
    expect(r.text).toMatch(/^holds: exhaustive/);
    expect(raced).toBe(true);
  });

  test('dup_mmap of a shared file mapping is refused: the model has no i_mmap link for the child (copy_page_range would skip it: !vma_needs_copy)', () => {
    const s = scenario('fork a file mapping', (k) => {
      const file = k.file(1);
      k.fileFolio(file, 0);
      const A = k.process('A', { pages: 1, file });
      const C = k.child(A, 'C');
      k.thread('fork', (t) => t.fork(A, C));
    });
    expect(() => explore(s)).toThrow(/dup_mmap/);
  });

  test('a write to a shared file mapping goes to wp_page_shared / do_shared_fault: the page-cache folio is written and dirtied, never COWed into an anon folio', () => {
    for (const first of ['load', 'store'] as const) {
      let end = '';
      const s = scenario('write a shared file mapping', (k) => {
        const file = k.file(1);
        const F = k.fileFolio(file, 0);
        const A = k.process('A', { pages: 1, file });
        // load first: the read fault maps it read-only and the store takes wp_page_shared();
        // store first: do_shared_fault() maps it writable at once
        k.thread('A', (t) => (first === 'load' ? t.load(A, 0) : t).store(A, 0, 3).load(A, 0), { alloc: 1 });
        k.always('record', () => {
          const p = A.pt.peekPte(0);
          end = `${p.t === 'present' ? `${p.folio} write=${p.write}` : p.t} content=${F.content} dirty=${F.dirty} anon=${k.allocated('A') !== null}`;
          return true;
        });
      });
      expect(explore(s).verdict).toBe('holds');
      expect(end).toBe('folio#1 write=true content=3 dirty=true anon=false');
    }
  });

  test('migrate_folio_move puts dst on the LRU before remove_migration_ptes (mm/migrate.c: "push dst to LRU immediately")', () => {
    let early = false;
    const s = scenario('migration: dst on the LRU while still unmapped', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.always('dst joins the LRU only while src is unmapped', () => {
        const p = P.pt.peekPte(0);
        const key = k.k.mem.key('folio#migrate.1', 'lru');
        if (p.t === 'migration' && k.k.mem.isLive(key) && k.k.mem.read(key) === true) early = true;
        return true;
      });
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(early).toBe(true);
  });
  test('try_to_migrate_one keeps a read-only PageAnonExclusive page exclusive: make_readable_exclusive_migration_entry, and remove_migration_pte maps dst with RMAP_EXCLUSIVE (mm/rmap.c)', () => {
    let mappedDst = false;
    const s = scenario('migrate a read-only exclusive anon page', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 4, writable: false });
      k.thread('migrate', (t) => t.migrate(F), { alloc: 1 });
      k.always('dst stays PageAnonExclusive once mapped', () => {
        const p = P.pt.peekPte(0);
        if (p.t !== 'present' || p.folio === F.name) return true;
        mappedDst = true;
        const ex = k.k.mem.read(k.k.mem.key(p.folio, 'exclusive'));
        return ex === true || `${p.folio} lost PageAnonExclusive across migration`;
      });
    });
    const r = explore(s);
    expect(r.text).toMatch(/^holds: exhaustive/);
    expect(mappedDst).toBe(true);
  });
  test('handle_pte_fault takes the PTL and re-checks pte_same when the PTE already allows the access (spurious fault: ptep_set_access_flags under the PTL, mm/memory.c)', () => {
    let locked = false;
    const s = scenario('spurious read fault on a present PTE', (k) => {
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: 2 });
      k.thread('fault', (t) => t.run((task) => handle_mm_fault(task, P.mm, 0, false)));
      k.always('the fault path holds the PTL at some step', () => {
        if (P.pt.ptl.holder() === 0) locked = true;
        return true;
      }, [P.pt.ptl]);
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(locked).toBe(true);
  });

  test('folio_add_lru of a folio already on the LRU is VM_BUG_ON_FOLIO(folio_test_lru(folio)) (mm/swap.c)', () => {
    const s = scenario('add an LRU folio to the LRU again', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0, { content: 1 });
      k.thread('lru', (t) =>
        t.run(function* (task) {
          yield 'folio_add_lru() without folio_isolate_lru()';
          folio_add_lru(task, F);
        }),
      );
    });
    const r = explore(s, { stopOnViolation: true });
    expect(r.verdict).toBe('breaks');
    expect(r.counterexample!.assertion).toBe('VM_BUG_ON_FOLIO');
  });
});
