import { describe, expect, test } from 'vitest';
import { explore, scenario } from '../../src/sim/index.ts';
import { filemap_remove_folio } from '../../src/sim/ops/filemap.ts';

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
      k.always('the folio leaves the swap cache dirty', () => {
        if (folio!.swapcache) return true;
        seen = true;
        return folio!.dirty || 'left the swap cache clean';
      }, [folio!]);
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
        }, [F, A.pt]);
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
});
