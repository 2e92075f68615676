import { until } from '../../explorer/index.ts';
import { SimMisuse, type Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { site, untilAt } from '../sites.ts';
import { copy_page_range, copy_pte_range } from './memory.ts';
import { exit_mmap } from './mmap.ts';
import type { Op } from './op.ts';

/**
 * mmget_not_zero - take an mm_users reference unless the mm is already exiting (the count hit
 * 0: exit_mmap runs or has run). Remote accessors (fs/proc/base.c mem_rw(), process_vm_rw via
 * mm_access(), get_task_mm users) must use it; mmget() is only for a holder of a reference.
 * Kernel: include/linux/sched/mm.h mmget_not_zero() "return atomic_inc_not_zero(&mm->mm_users)"
 * (read in a mainline-derived copy via the search tool; unchanged since v4.11's sched/mm.h split).
 * Variant: mmget_after_exit (R3b) takes the reference with mmget(): atomic_inc even from 0.
 */
export function* mmget_not_zero(t: Task, mm: MmStruct): Op<boolean> {
  if (!site(t.k, 'fork.c:mmget_not_zero') || t.mutated('mmget_after_exit')) {
    yield 'mmget() (mutated: atomic_inc(&mm->mm_users), even from 0)';
    mm.mm_users = mm.mm_users + 1;
    return true;
  }
  yield 'mmget_not_zero(): atomic_inc_not_zero(&mm->mm_users)';
  if (mm.mm_users === 0) return false;
  mm.mm_users = mm.mm_users + 1;
  return true;
}

/**
 * mmput - drop an mm_users reference; the last one tears the address space down.
 * Kernel: kernel/fork.c mmput() "if (atomic_dec_and_test(&mm->mm_users)) __mmput(mm)" →
 * __mmput() → exit_mmap() (read in mainline-derived copies via the search tool). Seed 004.
 * Model: __mmput's other work (exit_aio, ksm_exit, khugepaged_exit, mmdrop) is not modelled.
 */
export function* mmput(t: Task, mm: MmStruct): Op {
  yield 'mmput(): atomic_dec_and_test(&mm->mm_users)';
  if (mm.mm_users <= 0) throw new SimMisuse(`mmput of ${mm.name} without an mm_users reference`);
  mm.mm_users = mm.mm_users - 1;
  if (mm.mm_users === 0) yield* exit_mmap(t, mm);
}

/**
 * dup_mmap - fork: link the child VMA into the parent's anon_vma tree, then copy the page table.
 * Kernel: dup_mmap() → anon_vma_fork() → copy_page_range(). mm/rmap.c anon_vma_fork() and
 * anon_vma_clone() @ AMDESE/linux-mm 448bccf6cf9e (mainline after v6.18): anon_vma_clone links the
 * child VMA into the parent's anon_vmas under anon_vma_lock_write(src->anon_vma) (the root rwsem),
 * then anon_vma_fork attaches a new anon_vma with get_anon_vma(root) (re-read at 9b3bb8e2226a).
 * copy_page_range read at AMDESE/linux-mm 91883f9ea22a (see memory.ts). dup_mmap itself:
 * kernel/fork.c dup_mmap() @ torvalds/linux b501d4dc83aa (v6.2 era, maple tree): under both
 * mmap_write_lock()s, per VMA vm_area_dup(), anon_vma_fork(tmp, mpnt) (VM_WIPEONFORK: none),
 * a file VMA inserted into i_mmap after mpnt under i_mmap_lock_write, mas_store(), then
 * copy_page_range(tmp, mpnt) unless VM_WIPEONFORK; flush_tlb_mm(oldmm) before the unlocks.
 * Recent trees moved dup_mmap() to mm/mmap.c (seen in patch context, not read there). Rule R16.
 * Model: one VMA; the child's own anon_vma is not created: its VMA joins the parent's anon_vma
 * (which takes one more reference); mmap_lock, VM_WIPEONFORK and the TLB flush are not
 * modelled; a file mapping cannot be forked (the child VMA would need an i_mmap link): SimMisuse.
 * Variant: fork_skips_anon_vma_clone — no link into the parent's anon_vma, no reference on it.
 */
export function* dup_mmap(t: Task, parent: MmStruct, child: MmStruct): Op {
  if (parent.vma.lazy) return yield* dup_mmap_vma_locked(t, parent, child); // R22
  if (parent.vma.file !== null)
    throw new SimMisuse('dup_mmap of a file mapping is not modelled (the child VMA needs an i_mmap link)');
  const av = parent.vma.anon_vma;
  // fork_skips_anon_vma_clone: the child's own anon_vma (not modelled) is all it gets
  if (
    av !== null &&
    site(t.k, 'fork.c:anon_vma_fork:anon_vma_clone') &&
    !t.mutated('fork_skips_anon_vma_clone')
  ) {
    const locked = site(t.k, 'rmap.c:anon_vma_clone:lock_anon_vma_root');
    yield locked
      ? av.rwsem.down_write('anon_vma_fork: anon_vma_clone(): lock_anon_vma_root()')
      : 'anon_vma_fork: anon_vma_clone(): lock_anon_vma_root() [elided]';
    if (locked) av.rwsem.took_write();
    child.vma.linked = true; // anon_vma_chain_link
    av.refcount = av.refcount + 1;
    yield 'anon_vma_fork: unlock_anon_vma_root()';
    if (locked) av.rwsem.up_write();
  }
  yield* copy_page_range(t, child.vma, parent.vma);
}

/**
 * dup_mmap, for a parent VMA made lazy (k.lazyAnonVma, R22): under mmap_write_lock(), write-lock
 * the VMA (vma_start_write(), which waits for the faults holding its read lock), then
 * anon_vma_fork() — which links the child only if the parent already has an anon_vma — and
 * copy_page_range(), which copies only a VMA with an anon_vma (vma_needs_copy()).
 * Kernel: kernel/fork.c dup_mmap() with fb49c455323f "fork: lock VMAs of the parent process when
 * forking" (Suren Baghdasaryan, v6.5-rc1 and 6.4.y): "vma_start_write(mpnt)" for each parent VMA
 * under mmap_write_lock(oldmm); as kernel-rules.md R22 quotes the commit (not re-read here).
 * mm/rmap.c anon_vma_fork(): "Don't bother if the parent process has no anon_vma here" (as read
 * for dup_mmap above). Rule R22.
 * Model: the child VMA joins the parent's anon_vma as in dup_mmap; mmap_write_unlock() ends the
 * VMA write lock (vma_end_write_all); the child's mmap_lock is not modelled.
 * Variant: fork_without_vma_start_write (R22, v6.4 as released) skips vma_start_write().
 */
export function* dup_mmap_vma_locked(t: Task, parent: MmStruct, child: MmStruct): Op {
  const vma = parent.vma;
  const mwl = 'fork.c:dup_mmap:mmap_write_lock';
  yield untilAt(
    t.k,
    mwl,
    'dup_mmap: mmap_write_lock(oldmm)',
    () => parent.mmap_writer === -1 && parent.mmap_readers === 0,
  );
  const mmapLocked = site(t.k, mwl);
  if (mmapLocked) parent.mmap_writer = t.k.current;
  if (site(t.k, 'fork.c:dup_mmap:vma_start_write') && !t.mutated('fork_without_vma_start_write')) {
    yield until('dup_mmap: vma_start_write(mpnt)', () => vma.vma_readers === 0);
    vma.vma_writer = t.k.current;
  }
  yield 'anon_vma_fork(): if (!pvma->anon_vma) return 0';
  const av = vma.anon_vma;
  if (vma.anon_vma_set && av !== null) {
    const locked = site(t.k, 'rmap.c:anon_vma_clone:lock_anon_vma_root');
    yield locked
      ? av.rwsem.down_write('anon_vma_fork: anon_vma_clone(): lock_anon_vma_root()')
      : 'anon_vma_fork: anon_vma_clone(): lock_anon_vma_root() [elided]';
    if (locked) av.rwsem.took_write();
    child.vma.linked = true; // anon_vma_chain_link
    av.refcount = av.refcount + 1;
    yield 'anon_vma_fork: unlock_anon_vma_root()';
    if (locked) av.rwsem.up_write();
  }
  yield 'copy_page_range(): vma_needs_copy(): src_vma->anon_vma';
  if (vma.anon_vma_set) yield* copy_pte_range(t, child.vma, vma);
  yield 'dup_mmap: mmap_write_unlock(oldmm) (vma_end_write_all)';
  vma.vma_writer = -1;
  if (mmapLocked) parent.mmap_writer = -1;
}
