import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, SimMisuse, type Task } from '../kernel.ts';
import type { AnonVma } from '../objects/anon_vma.ts';
import {
  assertLive,
  type Folio,
  folio_locked_by_me,
  folio_mapped,
  folio_maybe_dma_pinned,
  folio_needs_cow_for_dma,
  folio_test_locked,
} from '../objects/folio.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import { make_migration_entry, mk_pte, PTE_NONE, swp_entry_to_pte } from '../objects/page_table.ts';
import { RcuReader } from '../objects/rcu.ts';
import { tlbOf } from '../objects/tlb.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, site, unlockAt, untilAt } from '../sites.ts';
import { __folio_mod_stat, mem_cgroup_uncharge } from './memcontrol.ts';
import type { Op } from './op.ts';
import { __folio_add_rmap_large, __folio_remove_rmap_large, folio_mod_large_stat } from './rmap_large.ts';
import { folio_get, folio_put } from './swap.ts';
import { page_swap_entry } from './swap_large.ts';
import { swap_duplicate } from './swapfile.ts';

/**
 * mm/rmap.c: adding and removing rmaps (the mapcounts), and the anon_vma lifetime rules that
 * make lockless rmap walks safe. Read at AMDESE/linux-mm 448bccf6cf9e (mainline mm, 2026;
 * unlink_anon_vmas / folio_get_anon_vma also at 9b3bb8e2226a); seeds 004 (anon_vma,
 * subpages_mapcount) and 000 (the folio lock blocks !mapped → mapped).
 */

/** An anon_vma as a reader obtained it: the object, and which incarnation it read. */
export interface AnonVmaRef {
  readonly av: AnonVma;
  readonly generation: number;
  /** The RCU read section (`rcu#task:gen`) in which folio->mapping was read. */
  readonly rcu: string;
}

function inCache(t: Task, f: Folio): boolean {
  if (f.swapcache) return true;
  const m = f.mapping;
  if (m === null || f.anon) return false;
  const as = t.k.lookup<AddressSpace>(m, 'address_space');
  return as.kPages.some((k) => as.mem.read(k) === f.name);
}

/**
 * The !mapped → mapped transition of a cache folio needs its lock (R6, I9).
 * Kernel: folio_add_anon_rmap_ptes kerneldoc "the page must be locked in the anon_vma case";
 * seed 000 ("Page/folio lock prevents a !page_mapped(page) becoming a page_mapped(page)").
 */
function checkFirstMap(t: Task, f: Folio, what: string): void {
  if (!folio_mapped(f) && inCache(t, f) && !folio_locked_by_me(f))
    guard(
      t.k,
      INV.I9,
      `${what}: ${f.name} goes from unmapped to mapped while in the ${f.swapcache ? 'swap' : 'page'} cache, without its folio lock`,
    );
}

/**
 * folio_add_new_anon_rmap - map a freshly allocated anon folio (exclusive to this task).
 * Kernel: mm/rmap.c folio_add_new_anon_rmap() → __folio_set_anon() @ AMDESE/linux-mm 448bccf6cf9e (_mapcount set
 * to 0, SetPageAnonExclusive if RMAP_EXCLUSIVE, __folio_mod_stat(nr)). Context: PTL held; "the
 * folio must be locked if it's shared" (VM_WARN_ON_FOLIO(!exclusive && !folio_test_locked)).
 * Model: small folios; a !exclusive folio should get anon_vma->root, but the model has one
 * anon_vma per fork tree (its own root); no swapbacked flag, no mTHP stat, no lock warning.
 */
export function folio_add_new_anon_rmap(t: Task, f: Folio, vma: Vma, exclusive: boolean): void {
  assertLive(f, 'folio_add_new_anon_rmap');
  if (vma.anon_vma === null) throw new Error(`${vma.name} has no anon_vma`);
  f.mapping = vma.anon_vma.name;
  f.mapcount = 1;
  f.exclusive = exclusive;
  __folio_mod_stat(t, f, 1);
}

/**
 * folio_add_anon_rmap_ptes - map pages of an existing anon folio (swapin, remove_migration_ptes).
 * Kernel: mm/rmap.c folio_add_anon_rmap_ptes() → __folio_add_anon_rmap() → __folio_add_rmap()
 * @ AMDESE/linux-mm 448bccf6cf9e (small folio: nr = atomic_inc_and_test(&folio->_mapcount); SetPageAnonExclusive if
 * RMAP_EXCLUSIVE, never cleared here). Context: PTL held; "the page must be locked in the
 * anon_vma case" (I9). Model: no __page_check_anon_rmap, no mlock_vma_folio.
 */
export function folio_add_anon_rmap_ptes(t: Task, f: Folio, exclusive: boolean): void {
  assertLive(f, 'folio_add_anon_rmap_ptes');
  checkFirstMap(t, f, 'folio_add_anon_rmap_ptes');
  const was = f.mapcount;
  f.mapcount = was + 1;
  if (exclusive) f.exclusive = true;
  if (was === 0) __folio_mod_stat(t, f, 1);
}

/**
 * folio_add_file_rmap_ptes - map a page-cache folio.
 * Kernel: mm/rmap.c folio_add_file_rmap_ptes() → __folio_add_file_rmap() → __folio_add_rmap()
 * @ AMDESE/linux-mm 448bccf6cf9e. Context: PTL held ("The caller needs to hold the page table lock"); the
 * folio lock for a !mapped → mapped transition is seed 000's rule (R6), checked here as I9.
 * Model: small folios; no mlock_vma_folio.
 */
export function folio_add_file_rmap_ptes(t: Task, f: Folio): void {
  assertLive(f, 'folio_add_file_rmap_ptes');
  checkFirstMap(t, f, 'folio_add_file_rmap_ptes');
  const was = f.mapcount;
  f.mapcount = was + 1;
  if (was === 0) __folio_mod_stat(t, f, 1);
}

/**
 * folio_remove_rmap_ptes - unmap `pages` of a folio: per-page mapcounts, and for a large folio
 * the aggregates _large_mapcount and _nr_pages_mapped (R5).
 * Kernel: mm/rmap.c folio_remove_rmap_ptes() → __folio_remove_rmap() @ AMDESE/linux-mm 448bccf6cf9e
 * (small: nr = atomic_add_negative(-1, &folio->_mapcount); large: folio_sub_large_mapcount, per
 * page atomic_add_negative(-1, &page->_mapcount), atomic_sub_return_relaxed(last,
 * &folio->_nr_pages_mapped); __folio_mod_stat(-nr); folio->mapping is left for
 * free_pages_prepare). Context: PTL held.
 * Large folios go through rmap_large.ts __folio_remove_rmap_large (both mapcount configs and the
 * MM-owner slots; `vma` names the mm whose mappings go away).
 * Model: no deferred_split_folio, no munlock_vma_folio.
 */
export function folio_remove_rmap_ptes(t: Task, f: Folio, pages: readonly number[], vma?: Vma): void {
  assertLive(f, 'folio_remove_rmap_ptes');
  if (f.nr === 1) {
    const m = f.mapcount - 1;
    if (m < 0) bug(INV.I2, `folio_remove_rmap_ptes: ${f.name} mapcount underflow ("Bad page map")`);
    f.mapcount = m;
    if (m === 0) __folio_mod_stat(t, f, -1);
    // R10's mutation: the pre-3.17 MEM_CGROUP_CHARGE_TYPE_MAPPED uncharge at the last unmap
    // ("if (PcgCache(pc) || page_mapped(page)) goto out", seed 001's __mem_cgroup_uncharge_common)
    if (m === 0 && f.anon && !f.swapcache && t.mutated('uncharge_at_last_unmap')) mem_cgroup_uncharge(t, f);
    return;
  }
  if (vma === undefined) throw new SimMisuse(`folio_remove_rmap_ptes of large ${f.name} needs its vma`);
  folio_mod_large_stat(t, f, -__folio_remove_rmap_large(t, f, pages, vma));
}

/**
 * page_zap_pte_rmap - the slimmed zap-only rmap removal of Linus's 2022 series: it handled a
 * PTE-mapped page of a compound folio like a small page and left subpages_mapcount alone.
 * Kernel: not in mainline (mm-unstable, 2022-11); seed 004. Used only with the R5 mutation.
 */
export function page_zap_pte_rmap(_t: Task, f: Folio, pages: readonly number[]): void {
  if (!_t.k.pageMapcount)
    throw new SimMisuse(
      'page_zap_pte_rmap (R5) is a per-page-mapcount fast path: not with CONFIG_NO_PAGE_MAPCOUNT',
    );
  for (const i of pages) f.mem.write(f.kMap[i], f.pageMapcount(i) - 1);
}

/**
 * folio_add_rmap_ptes for a large folio mapped by `pages` PTEs (setup and faults of large folios).
 * Kernel: mm/rmap.c __folio_add_rmap() @ AMDESE/linux-mm 448bccf6cf9e (PGTABLE_LEVEL_PTE, CONFIG_PAGE_MAPCOUNT:
 * first += atomic_inc_and_test(&page->_mapcount); atomic_add_return_relaxed(first,
 * &folio->_nr_pages_mapped); folio_add_large_mapcount); see rmap_large.ts for both mapcount
 * configs. Model: no PMD/entire mappings.
 */
export function folio_add_large_rmap_ptes(t: Task, f: Folio, pages: readonly number[], vma: Vma): void {
  folio_mod_large_stat(t, f, __folio_add_rmap_large(t, f, pages, vma));
}

/**
 * folio_try_dup_anon_rmap_pte - fork: share an anon page with the child, revoking exclusivity,
 * or fail if the page may be pinned (the caller then copies it: copy_present_page).
 * Kernel: include/linux/rmap.h folio_try_dup_anon_rmap_pte() → __folio_try_dup_anon_rmap(...,
 * RMAP_LEVEL_PTE) @ ColinIanKing/linux-next 003863128533 (a linux-next tree): maybe_pinned =
 * folio_needs_cow_for_dma(src_vma, folio); "if any page is PageAnonExclusive, we must fallback
 * to copying if the folio maybe pinned" (-EBUSY); else ClearPageAnonExclusive and
 * atomic_inc(&folio->_mapcount) (large folios: per-page and folio_add_large_mapcount). Caller
 * copy_present_ptes at AMDESE/linux-mm 91883f9ea22a. Rule R16.
 * Re-read at ColinIanKing/linux-next 00386312853 (__folio_try_dup_anon_rmap, RMAP_LEVEL_PTE:
 * "if (unlikely(maybe_pinned)) { for (i = 0; i < nr_pages; i++) if (PageAnonExclusive(page +
 * i)) return -EBUSY; }").
 * Returns: true on failure (-EBUSY), like the kernel.
 * Model: small folios (a page of a large folio goes to folio_try_dup_anon_rmap_ptes with one page).
 * Variants: fork_keeps_anon_exclusive (R16) keeps PageAnonExclusive; fork_shares_pinned_page
 * ignores maybe_pinned and shares a pinned page.
 */
export function folio_try_dup_anon_rmap_pte(t: Task, f: Folio): boolean {
  assertLive(f, 'folio_try_dup_anon_rmap_pte');
  const maybe_pinned = folio_needs_cow_for_dma(f) && !t.mutated('fork_shares_pinned_page');
  if (maybe_pinned && f.exclusive) return true;
  if (!t.mutated('fork_keeps_anon_exclusive')) f.exclusive = false;
  f.mapcount = f.mapcount + 1;
  return false;
}

/**
 * folio_move_anon_rmap - a reused anon folio now belongs to the faulting VMA's anon_vma.
 * Kernel: mm/rmap.c folio_move_anon_rmap() @ AMDESE/linux-mm 448bccf6cf9e (VM_BUG_ON_FOLIO(!folio_test_locked);
 * WRITE_ONCE(folio->mapping, anon_vma + FOLIO_MAPPING_ANON)). Model: no VM_BUG_ON_VMA(!anon_vma).
 */
export function folio_move_anon_rmap(t: Task, f: Folio, vma: Vma): void {
  if (!folio_locked_by_me(f)) guard(t.k, 'VM_BUG_ON_FOLIO', `folio_move_anon_rmap: ${f.name} not locked`);
  if (vma.anon_vma) f.mapping = vma.anon_vma.name;
  void t;
}

// --- anon_vma lifetime ------------------------------------------------------------------------

/**
 * folio_lock_anon_vma_read - find and read-lock the anon_vma of a folio that may be unmapped
 * concurrently: inside rcu_read_lock(), (a) folio_mapped(), (b) pin the anon_vma by
 * down_read_trylock(root->rwsem) or atomic_inc_not_zero(refcount), (c) re-check folio_mapped().
 * Kernel: mm/rmap.c folio_lock_anon_vma_read() @ AMDESE/linux-mm 448bccf6cf9e; comment above folio_get_anon_vma()
 * ("we know from folio_remove_rmap_*() that the anon_vma pointer from page->mapping is valid if
 * there is a mapcount"); seed 004 ("folio_mapped() plays a key role in establishing the
 * continued validity of an anon_vma"). Rule R2.
 * Model: the trylock and the re-check are one step (holding the rwsem, the anon_vma cannot be
 * freed: anon_vma_free() waits for it); `tryLock` is rwc->try_lock (folio_referenced: give up
 * when contended instead of sleeping).
 */
/** rmap.c:folio_lock_anon_vma_read:rcu elided: a read section that is none (no grace period waits for it). */
const NO_RCU = { name: 'rcu#elided', gen: 0, rcu_read_lock(): void {}, rcu_read_unlock(): void {} };

export function* folio_lock_anon_vma_read(t: Task, f: Folio, tryLock: boolean): Op<AnonVmaRef | null> {
  const rcu = site(t.k, 'rmap.c:folio_lock_anon_vma_read:rcu') ? t.rcu : NO_RCU;
  yield 'folio_lock_anon_vma_read: rcu_read_lock(); READ_ONCE(folio->mapping); folio_mapped()';
  rcu.rcu_read_lock();
  const mapping = f.mapping;
  if (mapping === null || !f.anon || !folio_mapped(f)) {
    rcu.rcu_read_unlock();
    return null;
  }
  const av = t.k.lookup<AnonVma>(mapping, 'anon_vma');
  const generation = av.generation;
  const section = `${rcu.name}:${rcu.gen}`;
  const recheck =
    site(t.k, 'rmap.c:folio_lock_anon_vma_read:recheck_mapped') && !t.mutated('no_recheck_mapped_after_pin');

  // the rwsem read lock, by trylock or (after the pin) anon_vma_lock_read(), held over the walk
  const locked = site(t.k, 'rmap.c:folio_lock_anon_vma_read:anon_vma_lock_read');
  yield 'folio_lock_anon_vma_read: down_read_trylock(&root_anon_vma->rwsem)';
  typesafeTouch(av, 'down_read_trylock(&root_anon_vma->rwsem)', section);
  if (!locked || av.rwsem.down_read_trylock()) {
    if (recheck && !folio_mapped(f)) {
      if (locked) av.rwsem.up_read();
      rcu.rcu_read_unlock();
      return null;
    }
    rcu.rcu_read_unlock();
    return { av, generation, rcu: section };
  }
  if (tryLock) {
    rcu.rcu_read_unlock();
    return null; // rwc->contended
  }

  // the pin that keeps the anon_vma while the reader sleeps on the rwsem outside RCU
  const pin = site(t.k, 'rmap.c:folio_lock_anon_vma_read:atomic_inc_not_zero');
  yield 'folio_lock_anon_vma_read: atomic_inc_not_zero(&anon_vma->refcount)';
  typesafeTouch(av, 'atomic_inc_not_zero(&anon_vma->refcount)', section);
  const ref = av.refcount;
  if (pin) av.refcount = ref === 0 ? 0 : ref + 1; // a failed inc_not_zero still writes (footprint)
  if (ref === 0) {
    rcu.rcu_read_unlock();
    return null;
  }
  if (recheck && !folio_mapped(f)) {
    rcu.rcu_read_unlock();
    if (pin) yield* put_anon_vma(t, av);
    return null;
  }
  rcu.rcu_read_unlock();

  yield av.rwsem.down_read('folio_lock_anon_vma_read: anon_vma_lock_read()');
  av.assertSame(generation, 'anon_vma_lock_read', section);
  av.rwsem.took_read();
  if (!pin) return { av, generation, rcu: section };
  yield 'folio_lock_anon_vma_read: atomic_dec_and_test(&anon_vma->refcount)';
  const left = av.refcount - 1;
  av.refcount = left;
  if (left === 0) {
    av.rwsem.up_read();
    yield* __put_anon_vma(t, av);
    return null;
  }
  return { av, generation, rcu: section };
}

/**
 * A typesafe access (trylock, inc_not_zero) inside an RCU read section: legal on a freed
 * anon_vma (SLAB_TYPESAFE_BY_RCU keeps it an anon_vma), but not once its memory left the slab
 * for the page allocator. Who is at fault depends on the reader's read section `rcu`: if it was
 * open when the anon_vma was freed, the grace period should have kept the memory an anon_vma
 * (R13, I20: freed without one); if the reader entered later, no grace period protects it — it
 * trusted a stale folio_mapped() (R1, I4: Hugh's "It looked like a page table", seed 004).
 */
function typesafeTouch(av: AnonVma, what: string, rcu?: string): void {
  if (av.state !== 'pagetable') return;
  const under = av.mem.read(av.kFreedUnder) as readonly string[];
  if (rcu === undefined || under.includes(rcu))
    bug(INV.I20, `${what}: ${av.name} was freed without an RCU grace period and is now a page table`);
  bug(
    INV.I4,
    `${what}: ${av.name} was freed before this reader's RCU read section began; after the grace period its slab page went back to the page allocator and is now a page table ("It looked like a page table")`,
  );
}

export function anon_vma_unlock_read(t: Task, ref: AnonVmaRef): void {
  if (site(t.k, 'rmap.c:folio_lock_anon_vma_read:anon_vma_lock_read')) ref.av.rwsem.up_read();
}

/**
 * put_anon_vma - drop a reference; the last one frees the anon_vma.
 * Kernel: include/linux/rmap.h put_anon_vma() @ ColinIanKing/linux-next 003863128533 ("if
 * (atomic_dec_and_test(&anon_vma->refcount)) __put_anon_vma(anon_vma)") → mm/rmap.c
 * __put_anon_vma() @ AMDESE/linux-mm 448bccf6cf9e (anon_vma_free(anon_vma); then the root's
 * reference if root != anon_vma).
 * Model: one anon_vma per fork tree, so no separate root reference.
 */
export function* put_anon_vma(t: Task, av: AnonVma): Op {
  yield 'put_anon_vma: atomic_dec_and_test(&anon_vma->refcount)';
  if (!av.isLive()) bug(INV.I4, `put_anon_vma on ${av.name}, which is ${av.state}`);
  const left = av.refcount - 1;
  av.refcount = left;
  if (left === 0) yield* __put_anon_vma(t, av);
}

/**
 * __put_anon_vma → anon_vma_free: wait out a reader that holds the rwsem (it pinned the
 * anon_vma with down_read_trylock), then return the object to its SLAB_TYPESAFE_BY_RCU cache.
 * Kernel: mm/rmap.c anon_vma_free() @ AMDESE/linux-mm 448bccf6cf9e ("if (rwsem_is_locked(&anon_vma->root->rwsem))
 * { anon_vma_lock_write(anon_vma); anon_vma_unlock_write(anon_vma); }").
 * Model: with SLAB_TYPESAFE_BY_RCU the memory stays an anon_vma ('freed', reallocatable) for
 * every reader that could still hold it; the slab page's return to the page allocator after the
 * grace period is a thread of its own (ops/slub.ts rcu_free_slab, when a scenario asks for it:
 * k.thread(…, (t) => t.rcu_free_slab(av))). R13's mutation frees it at once, and it becomes a
 * page table, as Hugh saw (seed 004). The RCU read sections open at the free are
 * recorded as a ghost (`freed_under_rcu`): a reader inside one may still lock and walk the freed
 * anon_vma (its tree is empty), one that entered later may not (AnonVma.assertSame).
 */
export function* __put_anon_vma(t: Task, av: AnonVma): Op {
  yield untilAt(
    t.k,
    'rmap.c:anon_vma_free:anon_vma_lock_write',
    'anon_vma_free: rwsem_is_locked() → anon_vma_lock_write(); anon_vma_unlock_write()',
    () => !av.rwsem.rwsem_is_locked(),
  );
  const graceless =
    !site(t.k, 'rmap.c:__put_anon_vma:rcu_grace_period') || t.mutated('free_without_grace_period');
  av.state = graceless ? 'pagetable' : 'freed';
  // ghost (not kernel state): the read sections open now keep it an anon_vma
  // (SLAB_TYPESAFE_BY_RCU) until they end; I4 uses this to tell a harmless from a harmful use
  const open = t.k
    .all(RcuReader)
    .filter((r) => r.reader)
    .map((r) => `${r.name}:${r.gen}`);
  av.mem.write(av.kFreedUnder, Object.freeze(open));
}

/**
 * anon_vma_alloc - take an anon_vma from the slab; under SLAB_TYPESAFE_BY_RCU that may be a
 * just-freed one, reallocated while RCU readers still hold pointers to it (R2).
 * Kernel: mm/rmap.c anon_vma_alloc() @ AMDESE/linux-mm 448bccf6cf9e (kmem_cache_alloc(anon_vma_cachep);
 * atomic_set(&anon_vma->refcount, 1); the cache is SLAB_TYPESAFE_BY_RCU, anon_vma_init).
 */
export function* anon_vma_alloc(t: Task, av: AnonVma): Op<boolean> {
  yield 'anon_vma_alloc: kmem_cache_alloc(anon_vma_cachep)';
  if (av.state !== 'freed') return false; // the slab hands out another object
  av.state = 'reused';
  av.generation = av.generation + 1;
  av.refcount = 1;
  void t;
  return true;
}

/**
 * unlink_anon_vmas - hide a VMA from the anon rmap, then drop its anon_vma references.
 * Kernel: mm/rmap.c unlink_anon_vmas() @ AMDESE/linux-mm 9b3bb8e2226a (anon_vma_lock_write(
 * active_anon_vma) — the root rwsem; anon_rmap_tree_remove for each avc; num_active_vmas--;
 * anon_vma_unlock_write; then put_anon_vma for each anon_vma left empty, "Could not do before
 * due to __put_anon_vma() needing to write-acquire the anon_vma->root->rwsem").
 * Model: a forked child's VMA joins the parent's anon_vma and holds one reference on it in
 * place of its own anon_vma's get_anon_vma(root) (see dup_mmap), so every unlink drops one
 * reference; no num_children / num_active_vmas.
 */
export function* unlink_anon_vmas(t: Task, vma: Vma): Op {
  const av = vma.anon_vma;
  if (av === null) return;
  // fork_skips_anon_vma_clone: a child VMA fork never linked holds no reference on it (its own
  // anon_vma, which it would unlink instead, is not modelled)
  const cloned = site(t.k, 'fork.c:anon_vma_fork:anon_vma_clone') && !t.mutated('fork_skips_anon_vma_clone');
  if (!vma.linked && !cloned) return;
  const locked = site(t.k, 'rmap.c:unlink_anon_vmas:anon_vma_lock_write');
  yield locked
    ? av.rwsem.down_write('unlink_anon_vmas: lock_anon_vma_root() (down_write)')
    : 'lock_anon_vma_root() [elided]';
  if (locked) av.rwsem.took_write();
  vma.linked = false; // anon_vma_interval_tree_remove
  yield 'unlink_anon_vmas: unlock_anon_vma_root() (up_write)';
  if (locked) av.rwsem.up_write();
  yield* put_anon_vma(t, av);
}

/**
 * unlink_file_vma - hide a file VMA from the i_mmap tree.
 * Kernel: mm/vma.c unlink_file_vma() @ torvalds/linux 01c373e9a5ce (v6.12 era): "if (file)
 * { i_mmap_lock_write(mapping); __remove_shared_vm_struct(vma, mapping);
 * i_mmap_unlock_write(mapping); }" — __remove_shared_vm_struct: mapping_unmap_writable for a
 * shared writable VMA, vma_interval_tree_remove. free_pgtables (AMDESE/linux-mm 91883f9ea22a)
 * reaches the same code through unlink_file_vma_batch_add()/_final() →
 * unlink_file_vma_batch_process(), which does the same for a batch under one i_mmap lock;
 * later trees drop unlink_file_vma() for the batch functions (patch "mm/vma: ... make them
 * static", seen in patch context). Seed 004. Rule R3.
 * Model: one VMA per batch; the tree removal is the VMA's `linked` flag; i_mmap_writable is
 * not modelled.
 */
export function* unlink_file_vma(t: Task, vma: Vma): Op {
  const as = vma.file;
  if (as === null) return;
  const locked = site(t.k, 'vma.c:unlink_file_vma:i_mmap_lock_write');
  yield locked
    ? as.i_mmap_rwsem.down_write('unlink_file_vma: i_mmap_lock_write()')
    : 'unlink_file_vma: i_mmap_lock_write() [elided]';
  if (locked) as.i_mmap_rwsem.took_write();
  vma.linked = false;
  if (locked) as.i_mmap_rwsem.up_write();
}

// --- rmap walks -----------------------------------------------------------------------------

/** What an rmap_one callback sees: a VMA in the folio's rmap tree. Runs its own steps. */
export type RmapOne = (vma: Vma) => Op<boolean>;

/**
 * rmap_walk_anon - visit every VMA in the folio's anon_vma tree.
 * Kernel: mm/rmap.c rmap_walk() → rmap_walk_anon() → rmap_walk_anon_lock() @ AMDESE/linux-mm 448bccf6cf9e
 * (VM_WARN_ON_FOLIO(!folio_test_locked): "The folio lock ensures that folio->mapping can't be
 * changed under us"; rwc->anon_lock = folio_lock_anon_vma_read; anon_rmap_tree_foreach; stop
 * when rmap_one returns false or rwc->done (folio_not_mapped); anon_vma_unlock_read).
 * Model: the tree walk reads each VMA's `linked` flag in one step; a walk over an anon_vma
 * that was freed or reallocated since folio->mapping was read is I4.
 */
export function* rmap_walk_anon(t: Task, f: Folio, tryLock: boolean, rmap_one: RmapOne): Op<boolean> {
  const ref = yield* folio_lock_anon_vma_read(t, f, tryLock);
  if (ref === null) return false;
  yield 'rmap_walk_anon: anon_vma_interval_tree_foreach()';
  ref.av.assertSame(ref.generation, 'anon_vma_interval_tree_foreach', ref.rcu);
  const vmas = ref.av.vmas.filter((v) => v.linked);
  for (const vma of vmas) if (!(yield* rmap_one(vma))) break;
  yield 'rmap_walk_anon: anon_vma_unlock_read()';
  anon_vma_unlock_read(t, ref);
  return true;
}

/**
 * rmap_walk_file - visit every VMA of the folio's file in the i_mmap tree.
 * Kernel: mm/rmap.c rmap_walk_file() → __rmap_walk_file() @ AMDESE/linux-mm 448bccf6cf9e (VM_BUG_ON_FOLIO(
 * !folio_test_locked(folio)) before anything else; if (!folio->mapping) return;
 * i_mmap_trylock_read, and with rwc->try_lock give up (contended); else i_mmap_lock_read;
 * mapping_rmap_tree_foreach). Model: the walk visits every linked VMA (no pgoff ranges).
 */
export function* rmap_walk_file(t: Task, f: Folio, rmap_one: RmapOne): Op<boolean> {
  const mapping = f.mapping;
  if (mapping === null) return false;
  const as = t.k.lookup<AddressSpace>(mapping, 'address_space');
  const locked = site(t.k, 'rmap.c:rmap_walk_file:i_mmap_lock_read');
  yield locked
    ? as.i_mmap_rwsem.down_read('rmap_walk_file: i_mmap_lock_read()')
    : 'rmap_walk_file: i_mmap_lock_read() [elided]';
  if (locked) as.i_mmap_rwsem.took_read();
  if (!folio_test_locked(f)) guard(t.k, 'VM_BUG_ON_FOLIO', `rmap_walk_file: ${f.name} not locked`);
  const vmas = as.vmas.filter((v) => v.linked);
  for (const vma of vmas) if (!(yield* rmap_one(vma))) break;
  yield 'rmap_walk_file: i_mmap_unlock_read()';
  if (locked) as.i_mmap_rwsem.up_read();
  return true;
}

export function* rmap_walk(t: Task, f: Folio, tryLock: boolean, rmap_one: RmapOne): Op<boolean> {
  return f.anon ? yield* rmap_walk_anon(t, f, tryLock, rmap_one) : yield* rmap_walk_file(t, f, rmap_one);
}

/** The pages of `vma` whose PTE maps folio `f` (page_vma_mapped_walk), read under the PTL. */
export function mappedPages(vma: Vma, f: Folio): number[] {
  const pt = vma.mm.pt;
  const out: number[] = [];
  for (let a = 0; a < pt.size; a++) {
    const p = pt.get(a);
    if (p.t === 'present' && p.folio === f.name) out.push(a);
  }
  return out;
}

/**
 * folio_referenced - test and clear the young bits of every mapping of a folio (reclaim).
 * Kernel: mm/rmap.c folio_referenced() / folio_referenced_one() @ AMDESE/linux-mm 448bccf6cf9e: return 0 if
 * !folio_mapcount or !folio_raw_mapping; a folio not locked by the caller is trylocked (busy:
 * return 1); the walk has rwc->try_lock (anon and file); returns -1 if rwc.contended.
 * Era (folioReferencedLocksAnon): before 'today' an anon non-KSM folio is walked without the
 * folio lock (seed 004's setting: kswapd's shrink_active_list() calls folio_referenced(folio, 0, …)).
 * Model: one PTL section per VMA; "young" is not modelled, so the count is the PTEs found, not
 * the referencing VMAs; no mlock, no exiting-mm skip, no invalid_vma (memcg / recency).
 */
export function* folio_referenced(t: Task, f: Folio, is_locked: boolean): Op<number> {
  yield 'folio_referenced: folio_mapcount(); folio_trylock()';
  assertLive(f, 'folio_referenced');
  if (!folio_mapped(f) || f.mapping === null) return 0;
  let we_locked = false;
  if (
    !is_locked &&
    site(t.k, 'rmap.c:folio_referenced:folio_trylock') &&
    (!f.anon || folioReferencedLocksAnon(t))
  ) {
    we_locked = f.lock.tryLock();
    if (!we_locked) return 1;
  }
  let referenced = 0;
  yield* rmap_walk(t, f, true, function* (vma) {
    const pt = vma.mm.pt;
    const ptl = 'rmap.c:folio_referenced_one:ptl';
    yield lockAt(t.k, ptl, pt.ptl, 'folio_referenced_one: page_vma_mapped_walk() (pte_offset_map_lock)');
    referenced += mappedPages(vma, f).length;
    yield unlockAt(t.k, ptl, pt.ptl, 'folio_referenced_one: page_vma_mapped_walk_done()');
    return true;
  });
  if (we_locked) {
    yield unlockAt(t.k, 'rmap.c:folio_referenced:folio_trylock', f.lock, 'folio_referenced: folio_unlock()');
  }
  return referenced;
}

/**
 * Whether folio_referenced() trylocks an anon folio its caller did not lock, by era.
 * Kernel: the condition "if (!is_locked && (!folio_test_anon(folio) || folio_test_ksm(folio)))"
 * (anon non-KSM folios walked unlocked, under folio_lock_anon_vma_read()'s RCU and mapcount
 * protocol) was read in page_referenced() @ torvalds/linux 00170fdd0846 (a v3.1x copy: eras
 * 2014, 2022, 2023) and in a quotation of gregkh/linux v6.18.38 mm/rmap.c (so it lasted
 * through v6.18); today's "if (!is_locked)" (every folio trylocked) was read @ AMDESE/linux-mm
 * 448bccf6cf9e. The change is the mm commit "mm: always call rmap_walk() on locked folios"
 * (Lokesh Gidra's proposal on linux-mm, "[DISCUSSION] Unconditionally lock folios when calling
 * rmap_walk()", 2025-08-22; in mm-unstable as 79bba4bbe712 on 2025-10-16, seen in sj/linux
 * post-receive shortlogs; its diff, mainline hash and release were not read here, v6.19
 * inferred). Era '2008' (v2.6.27's page_referenced_anon(), no folio lock) was not read here:
 * inferred from the v3.1x copy. The unlocked caller is mm/vmscan.c shrink_active_list()
 * ("folio_referenced(folio, 0, sc->target_mem_cgroup, &vm_flags)"); shrink_folio_list()'s
 * folio_check_references() passes is_locked = 1 (both read in list-mail patch context).
 */
export function folioReferencedLocksAnon(t: Task): boolean {
  return t.variant.era === 'today';
}

/**
 * try_to_unmap - replace every PTE mapping a locked folio: anon pages by a swap PTE of
 * folio->swap (swap_duplicate; pte_swp_exclusive if the page was PageAnonExclusive, which
 * folio_try_share_anon_rmap_pte clears), file pages by none; then folio_remove_rmap_pte and
 * folio_put, all under the PTL.
 * Kernel: mm/rmap.c try_to_unmap() → try_to_unmap_one() → ttu_anon_folio() /
 * __ttu_anon_swapbacked_folio() / finish_folio_unmap() @ AMDESE/linux-mm 448bccf6cf9e ("When racing against e.g.
 * zap_pte_range() on another cpu ... use TTU_SYNC"; folio_dup_swap_pages; if anon_exclusive,
 * folio_try_share_anon_rmap_ptes; swp_pte_prepare → pte_swp_mkexclusive; folio_remove_rmap_ptes;
 * folio_put_refs). Context: "Caller must hold the folio lock".
 * Model: TTU_SYNC semantics (the walk takes each PTL); a maybe-pinned exclusive page aborts
 * the walk (folio_try_share_anon_rmap_pte -EBUSY), the PTE left as it was; no mlock, no
 * lazyfree, no rwc->done early stop; a writable PTE counts as dirty (pte_dirty →
 * folio_mark_dirty); an anon folio without a swap entry is reported as a kernel bug where the
 * kernel WARN_ON_ONCEs (swapbacked != swapcache) and restores the PTE.
 */
export function* try_to_unmap(t: Task, f: Folio): Op {
  yield 'try_to_unmap: VM_BUG_ON_FOLIO(!folio_test_locked(folio))';
  if (!folio_locked_by_me(f)) guard(t.k, 'VM_BUG_ON_FOLIO', `try_to_unmap: ${f.name} not locked`);
  yield* rmap_walk(t, f, false, function* (vma) {
    const pt = vma.mm.pt;
    let abort = false;
    const ptl = 'rmap.c:try_to_unmap_one:ptl';
    yield lockAt(t.k, ptl, pt.ptl, 'try_to_unmap_one: page_vma_mapped_walk() (pte_offset_map_lock)');
    for (const addr of mappedPages(vma, f)) {
      // try_to_unmap_one: if (pte_dirty(pteval)) folio_mark_dirty(folio). Model: a writable
      // PTE counts as dirty (PTEs have no separate dirty bit here).
      const before = pt.get(addr);
      if (before.t === 'present' && before.write) f.dirty = true;
      const page = before.t === 'present' ? before.page : 0; // subpage
      if (f.anon) {
        // "if (anon_exclusive && folio_try_share_anon_rmap_pte(folio, subpage)) { swap_free(entry);
        // set_pte_at(mm, address, pvmw.pte, pteval); goto walk_abort; }": a maybe-pinned exclusive
        // page stays mapped (checked before swap_duplicate here: the same net effect)
        if (f.pageExclusive(page) && folio_maybe_dma_pinned(f)) {
          abort = true;
          break;
        }
        if (f.swap === null) bug('VM_BUG_ON_FOLIO', `try_to_unmap_one: anon ${f.name} has no swap entry`);
        const entry = page_swap_entry(t, f, page); // page_swap_entry(subpage): folio->swap + index
        swap_duplicate(t, entry);
        const excl = f.pageExclusive(page);
        f.setPageExclusive(page, false); // folio_try_share_anon_rmap_pte
        pt.set(addr, swp_entry_to_pte(entry, excl));
      } else pt.set(addr, PTE_NONE);
      folio_remove_rmap_ptes(t, f, [page], vma);
      folio_put(t, f);
    }
    yield unlockAt(t.k, ptl, pt.ptl, 'try_to_unmap_one: page_vma_mapped_walk_done()');
    return !abort;
  });
}

/**
 * try_to_migrate - replace every PTE mapping a locked folio by a migration entry (writable if
 * the PTE was), removing the rmap and the PTE's reference, under each PTL.
 * Kernel: mm/rmap.c try_to_migrate() → try_to_migrate_one() → make_migration_pte() @ AMDESE/linux-mm 448bccf6cf9e
 * (anon_exclusive = folio_test_anon && PageAnonExclusive; VM_WARN_ON_FOLIO(writable && anon &&
 * !anon_exclusive); folio_try_share_anon_rmap_pte if anon_exclusive; a writable, readable-
 * exclusive or readable migration entry; folio_remove_rmap_pte; folio_put).
 * Model: the entry keeps the write and exclusive bits (not young / dirty / soft-dirty); a
 * maybe-pinned exclusive page aborts the walk (folio_try_share_anon_rmap_pte -EBUSY; its PTE
 * is left as it was); no rwc->done early stop, no THP split.
 */
export function* try_to_migrate(t: Task, f: Folio): Op {
  yield 'try_to_migrate: VM_BUG_ON_FOLIO(!folio_test_locked(folio))';
  if (!folio_locked_by_me(f)) guard(t.k, 'VM_BUG_ON_FOLIO', `try_to_migrate: ${f.name} not locked`);
  yield* rmap_walk(t, f, false, function* (vma) {
    const pt = vma.mm.pt;
    let abort = false;
    const ptl = 'rmap.c:try_to_migrate_one:ptl';
    yield lockAt(t.k, ptl, pt.ptl, 'try_to_migrate_one: page_vma_mapped_walk() (pte_offset_map_lock)');
    for (let addr = 0; addr < pt.size; addr++) {
      const p = pt.get(addr);
      if (p.t !== 'present' || p.folio !== f.name) continue;
      // anon_exclusive = folio_test_anon(folio) && PageAnonExclusive(subpage)
      const anon_exclusive = f.anon && f.exclusive;
      // folio_try_share_anon_rmap_pte() -EBUSY for a maybe-pinned page: restore, walk_abort
      if (anon_exclusive && folio_maybe_dma_pinned(f)) {
        abort = true;
        break;
      }
      if (p.write && f.anon && !anon_exclusive)
        bug('VM_WARN_ON_FOLIO', `try_to_migrate_one: writable PTE of non-exclusive anon ${f.name}`);
      if (anon_exclusive) f.exclusive = false; // folio_try_share_anon_rmap_pte: "clear PTE first"
      pt.set(addr, make_migration_entry(f.name, p.write, anon_exclusive)); // make_migration_pte
      folio_remove_rmap_ptes(t, f, [p.page], vma);
      folio_put(t, f);
    }
    yield unlockAt(t.k, ptl, pt.ptl, 'try_to_migrate_one: page_vma_mapped_walk_done()');
    return !abort;
  });
}

/**
 * remove_migration_ptes - point every migration entry of `src` at `dst` (dst === src when
 * migration backs out): folio_get, folio_add_anon_rmap_pte (exclusive if the entry was
 * writable), set_pte_at, under each PTL.
 * Kernel: mm/migrate.c remove_migration_ptes() → rmap_walk(dst) → remove_migration_pte() @
 * AMDESE/linux-mm acb24e4b6095 (page_vma_mapped_walk with PVMW_MIGRATION; folio_get; pte_mkwrite
 * if is_writable_migration_entry; RMAP_EXCLUSIVE if anon and !is_readable_migration_entry;
 * folio_add_anon_rmap_pte / folio_add_file_rmap_pte; set_pte_at); the anon walk is rmap_walk()
 * on dst, whose anon_vma the migration pinned with folio_get_anon_vma().
 * Model: the migration entry keeps only the write bit (no readable-exclusive, young/dirty or
 * soft-dirty bits); no RMP_USE_SHARED_ZEROPAGE.
 */
export function* remove_migration_ptes(t: Task, src: Folio, dst: Folio, av: AnonVma | null): Op {
  const vmas = av
    ? av.vmas
    : dst.anon
      ? []
      : t.k.lookup<AddressSpace>(dst.mapping ?? '', 'address_space').vmas;
  const locked = av !== null && site(t.k, 'migrate.c:remove_migration_ptes:anon_vma_lock_read');
  if (av) {
    yield locked
      ? av.rwsem.down_read('remove_migration_ptes: rmap_walk(): anon_vma_lock_read()')
      : 'remove_migration_ptes: rmap_walk(): anon_vma_lock_read() [elided]';
    if (locked) av.rwsem.took_read();
  }
  for (const vma of vmas) {
    if (!vma.linked) continue;
    const pt = vma.mm.pt;
    const ptl = 'migrate.c:remove_migration_pte:ptl';
    yield lockAt(t.k, ptl, pt.ptl, 'remove_migration_pte: page_vma_mapped_walk() (pte_offset_map_lock)');
    for (let addr = 0; addr < pt.size; addr++) {
      const p = pt.get(addr);
      if (p.t !== 'migration' || p.folio !== src.name) continue;
      folio_get(t, dst);
      // rmap_flags |= RMAP_EXCLUSIVE if folio_test_anon && !is_readable_migration_entry(entry)
      if (dst.anon) folio_add_anon_rmap_ptes(t, dst, p.excl);
      else folio_add_file_rmap_ptes(t, dst);
      pt.set(addr, mk_pte(dst.name, 0, p.write));
    }
    yield unlockAt(t.k, ptl, pt.ptl, 'remove_migration_pte: page_vma_mapped_walk_done()');
  }
  if (av) {
    yield 'remove_migration_ptes: anon_vma_unlock_read()';
    if (locked) av.rwsem.up_read();
  }
}

/**
 * folio_get_anon_vma - pin the anon_vma of a mapped anon folio: under RCU, folio_mapped(),
 * atomic_inc_not_zero(&anon_vma->refcount), re-check folio_mapped().
 * Kernel: mm/rmap.c folio_get_anon_vma() @ AMDESE/linux-mm 9b3bb8e2226a (the comment above it: "we know from
 * folio_remove_rmap_*() that the anon_vma pointer from page->mapping is valid if there is a
 * mapcount"; the second folio_mapped() check puts the reference back). Model: one step (the
 * caller holds the folio lock and a reference), so the re-check cannot fail.
 */
export function* folio_get_anon_vma(t: Task, f: Folio, pin = true): Op<AnonVma | null> {
  yield 'folio_get_anon_vma: rcu_read_lock(); folio_mapped(); atomic_inc_not_zero(&anon_vma->refcount)';
  const m = f.mapping;
  if (m === null || !f.anon || !folio_mapped(f)) return null;
  const av = t.k.lookup<AnonVma>(m, 'anon_vma');
  // the read section opens and closes in this step: it was not open at any earlier free
  typesafeTouch(av, 'folio_get_anon_vma: atomic_inc_not_zero', `${t.rcu.name}:folio_get_anon_vma`);
  if (av.refcount === 0) return null;
  if (pin) av.refcount = av.refcount + 1; // (a caller's pin site elided: found, not pinned)
  return av;
}

/**
 * folio_mkclean - write-protect and clean every shared-mapping PTE of a locked page-cache
 * folio, flushing each from the TLB; returns how many PTEs were dirty (writable).
 * Kernel: mm/rmap.c folio_mkclean() ("BUG_ON(!folio_test_locked(folio)); if
 * (!folio_mapped(folio)) return 0; mapping = folio_mapping(folio); if (!mapping) return 0;
 * rmap_walk(folio, &rwc)"), page_mkclean_one() (DEFINE_FOLIO_VMA_WALK(..., PVMW_SYNC): the walk
 * takes each PTL), invalid_mkclean_vma() (only VM_SHARED VMAs), page_vma_mkclean_one()
 * (ptep_clear_flush(); pte_wrprotect(); pte_mkclean(); set_pte_at()), read in several
 * mainline-derived copies via find_string (v6.x folio era). Rule R19: it returns at once for an
 * unmapped folio, so it waits for a zap's PTL only while the zap's rmap is still in place.
 * Model: a writable file PTE stands for a dirty one; one PTL section per VMA.
 */
export function* folio_mkclean(t: Task, f: Folio): Op<number> {
  if (!folio_test_locked(f)) bug('BUG_ON', `folio_mkclean: BUG_ON(!folio_test_locked(${f.name}))`);
  if (!folio_mapped(f) || f.mapping === null) return 0;
  let cleaned = 0;
  yield* rmap_walk_file(t, f, function* (vma) {
    if (!vma.shared) return true; // invalid_mkclean_vma
    const pt = vma.mm.pt;
    const cpus = tlbOf(t.k, vma.mm.label);
    const ptl = 'rmap.c:page_mkclean_one:ptl';
    yield lockAt(
      t.k,
      ptl,
      pt.ptl,
      'page_mkclean_one: page_vma_mapped_walk() (PVMW_SYNC: pte_offset_map_lock)',
    );
    for (const a of mappedPages(vma, f)) {
      const p = pt.get(a);
      if (p.t !== 'present' || !p.write) continue; // !pte_dirty && !pte_write: nothing to clean
      pt.set(a, mk_pte(p.folio, p.page, false)); // ptep_clear_flush; pte_wrprotect; pte_mkclean
      cpus?.flush(a);
      cleaned++;
    }
    yield unlockAt(t.k, ptl, pt.ptl, 'page_mkclean_one: page_vma_mapped_walk_done() (pte_unmap_unlock)');
    return true;
  });
  return cleaned;
}

/**
 * anon_vma_prepare - give a VMA without one its anon_vma before the first anonymous folio is
 * mapped in it (the first write fault), and link the VMA into it.
 * Kernel: mm/rmap.c __anon_vma_prepare() (find_mergeable_anon_vma() or anon_vma_alloc();
 * anon_vma_lock_write(); under mm->page_table_lock "if (likely(!vma->anon_vma)) {
 * vma->anon_vma = anon_vma; anon_vma_chain_link(vma, avc, anon_vma); ...}"), as kernel-rules.md
 * R22 and the fb49c455323f message describe it (not re-read here). Rule R22.
 * Model: only VMAs made lazy (k.lazyAnonVma) start without it; the anon_vma object exists from
 * setup and is attached here; the locks are one step.
 */
export function* anon_vma_prepare(_t: Task, vma: Vma): Op {
  yield 'vmf_anon_prepare(): __anon_vma_prepare(): anon_vma_chain_link()';
  if (!vma.anon_vma_set) {
    vma.anon_vma_set = true;
    vma.linked = true;
  }
}
