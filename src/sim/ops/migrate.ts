import { INV } from '../invariants/names.ts';
import { guard, SimMisuse, type Task } from '../kernel.ts';
import { type Folio, folio_mapped } from '../objects/folio.ts';
import { lockAt, releaseAt, site, tryLockAt, unlockAt } from '../sites.ts';
import { commit_charge, type MemCgroup, mem_cgroup_migrate, try_charge } from './memcontrol.ts';
import { alloc_folio } from './memory.ts';
import type { Op } from './op.ts';
import { folio_get_anon_vma, put_anon_vma, remove_migration_ptes, try_to_migrate } from './rmap.ts';
import { folio_add_lru, folio_put } from './swap.ts';
import { folio_isolate_lru, folio_putback_lru } from './vmscan.ts';

/**
 * mm/migrate.c: moving a folio's contents to a new folio (compaction, NUMA balancing).
 */

/**
 * migrate_pages for one anon folio: isolate it, lock it, pin its anon_vma, unmap it into
 * migration entries, then either move it (the refcount is exactly the isolation reference:
 * copy, folio_migrate_flags → mem_cgroup_migrate, folio_add_lru(dst), remove_migration_ptes(src,
 * dst)) or back out with -EAGAIN (someone holds another reference: remove_migration_ptes(src,
 * src)).
 * Kernel: mm/migrate.c @ AMDESE/linux-mm acb24e4b6095: migrate_pages_batch() →
 * migrate_folio_unmap() (folio_trylock/folio_lock(src); folio_get_anon_vma(src) "delays freeing
 * anon_vma pointer until the end of migration"; folio_trylock(dst); if folio_mapped(src):
 * VM_BUG_ON_FOLIO(folio_test_anon(src) && !folio_test_ksm(src) && !anon_vma, src), then
 * try_to_migrate — re-read @ AMDESE/linux-mm 022d8fe66ca4, seed 004's first BUG, R1) → migrate_folio_move() (move_to_new_folio → migrate_folio → __migrate_folio:
 * "if (folio_ref_count(src) != expected_count) return -EAGAIN", folio_mc_copy,
 * __folio_migrate_mapping, folio_migrate_flags → mem_cgroup_migrate; then folio_add_lru(dst)
 * before remove_migration_ptes(src, dst); folio_unlock(dst); folio_put(dst); put_anon_vma;
 * folio_unlock(src); migrate_folio_done → folio_put(src)); on failure migrate_folio_undo_src()
 * (remove_migration_ptes(src, src); put_anon_vma; folio_unlock(src)) then
 * migrate_folio_undo_dst() (folio_unlock(dst); folio_put(dst)). Seed 002 ("On page migration,
 * the old page might be unmapped but then reused"). Rules R10, R11.
 * Model: anonymous small folios not in the swap cache; one attempt: -EAGAIN backs out at once
 * (the kernel keeps the migration entries across up to NR_MAX_MIGRATE_SYNC_RETRY passes before
 * migrate_folios_undo); an unmapped anon folio is put back rather than copied; no
 * "freed from under us" (refcount == 1) shortcut; dst is allocated after the src lock (the
 * kernel allocates first); eras 2014 and today (2008's mem_cgroup_prepare_migration is not
 * modelled, except as the new page's charge under R10's mutation, uncharge_at_last_unmap: the
 * pre-3.17 code charged the new page before unmapping the old one, mem_cgroup_end_migration()
 * uncharged the new page on failure).
 */
export function* migrate_pages(t: Task, src: Folio): Op<boolean> {
  if (t.variant.era === '2008') throw new SimMisuse("migration is not modelled for era '2008'");
  if (!src.anon || src.nr > 1) throw new SimMisuse('migrate_pages: only small anon folios are modelled');
  if (!(yield* folio_isolate_lru(t, src))) return false;
  yield lockAt(
    t.k,
    'migrate.c:migrate_folio_unmap:folio_lock',
    src.lock,
    'migrate_folio_unmap: folio_lock(src)',
  );
  if (src.swapcache) {
    yield unlockAt(
      t.k,
      'migrate.c:migrate_folio_unmap:folio_lock',
      src.lock,
      'migrate_folio_unmap: folio_unlock(src) (swap cache: not modelled, skip)',
    );
    yield* folio_putback_lru(t, src);
    return false;
  }
  const pin = site(t.k, 'migrate.c:migrate_folio_unmap:folio_get_anon_vma');
  const av = yield* folio_get_anon_vma(t, src, pin);
  // (same step: the kernel's "else if (folio_mapped(src))" a few lines on, with dst locked)
  if (av === null && !folio_mapped(src)) {
    // an unmapped anon folio: nothing to migrate here (the kernel would just copy it)
    yield unlockAt(
      t.k,
      'migrate.c:migrate_folio_unmap:folio_lock',
      src.lock,
      'migrate_folio_unmap: folio_unlock(src)',
    );
    yield* folio_putback_lru(t, src);
    return false;
  }
  if (av === null)
    // "if we cannot get anon_vma, then we won't need it anyway, because that implies that the
    // anon page is no longer mapped": a mapped folio whose anon_vma is gone breaks R1. With
    // CONFIG_DEBUG_VM this is the BUG Hugh hit first (seed 004, "BUG at mm/migrate.c:1105!");
    // without it, try_to_migrate() walks the freed anon_vma (I4).
    guard(
      t.k,
      INV.I5,
      `migrate_folio_unmap: VM_BUG_ON_FOLIO(folio_test_anon(src) && !folio_test_ksm(src) && !anon_vma): ${src.name} is mapped (mapcount ${src.mapcount}) but folio_get_anon_vma() found no live anon_vma (${src.mapping})`,
    );
  yield 'migrate_folio_unmap: dst = get_new_folio(); folio_trylock(dst)';
  const dst = alloc_folio(t, true, src.content);
  const dlock = 'migrate.c:migrate_folio_unmap:folio_trylock_dst';
  tryLockAt(t.k, dlock, dst.lock); // a new folio: the trylock succeeds
  const oldMemcg = src.memcg;
  if (t.mutated('uncharge_at_last_unmap') && oldMemcg !== null) {
    // R10's mutation is the pre-3.17 uncharge at last unmap, whose migration path was
    // mem_cgroup_prepare_migration(): the new page is charged to the old page's memcg before
    // the old page is unmapped (and so uncharged), and a successful migration keeps it.
    const memcg = t.k.lookup<MemCgroup>(oldMemcg, 'mem_cgroup');
    try_charge(t, memcg, dst.nr);
    commit_charge(t, dst, memcg);
  }
  yield* try_to_migrate(t, src);

  yield 'migrate_folio_move: folio_migrate_mapping(): folio_ref_count(src) == expected_count';
  const moved = !folio_mapped(src) && src.refcount === 1; // only the isolation reference
  if (moved) {
    dst.content = src.content; // folio_copy
    dst.mapping = src.mapping;
    mem_cgroup_migrate(t, src, dst); // folio_migrate_flags()
    // "When successful, push dst to LRU immediately" (before remove_migration_ptes)
    folio_add_lru(t, dst);
    yield* remove_migration_ptes(t, src, dst, av);
    yield 'migrate_folio_move: folio_unlock(dst); folio_put(dst)';
    releaseAt(t.k, dlock, dst.lock);
    folio_put(t, dst); // the allocation's reference: dst is now held by its mappings
    if (av && pin) yield* put_anon_vma(t, av);
    yield unlockAt(
      t.k,
      'migrate.c:migrate_folio_unmap:folio_lock',
      src.lock,
      'migrate_folio_move: folio_unlock(src)',
    );
  } else {
    // -EAGAIN: migrate_folio_undo_src(), then migrate_folio_undo_dst()
    yield* remove_migration_ptes(t, src, src, av);
    if (av && pin) yield* put_anon_vma(t, av);
    yield unlockAt(
      t.k,
      'migrate.c:migrate_folio_unmap:folio_lock',
      src.lock,
      'migrate_folio_undo_src: folio_unlock(src)',
    );
    yield 'migrate_folio_undo_dst: folio_unlock(dst); folio_put(dst)';
    releaseAt(t.k, dlock, dst.lock);
    folio_put(t, dst);
  }
  if (moved) {
    yield 'migrate_folio_done: folio_put(src) (the isolation reference: the final put)';
    src.lru = false;
    folio_put(t, src);
  } else yield* folio_putback_lru(t, src);
  return moved;
}
