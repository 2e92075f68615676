import { describe, expect, test } from 'vitest';
import { explore, scenario } from '../../src/sim/index.ts';

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
});
