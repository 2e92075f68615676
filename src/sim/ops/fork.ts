import { SimMisuse, type Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { copy_page_range } from './memory.ts';
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
  if (t.mutated('mmget_after_exit')) {
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
  if (parent.vma.file !== null)
    throw new SimMisuse('dup_mmap of a file mapping is not modelled (the child VMA needs an i_mmap link)');
  const av = parent.vma.anon_vma;
  // fork_skips_anon_vma_clone: the child's own anon_vma (not modelled) is all it gets
  if (av !== null && !t.mutated('fork_skips_anon_vma_clone')) {
    yield av.rwsem.down_write('anon_vma_fork: anon_vma_clone(): lock_anon_vma_root()');
    av.rwsem.took_write();
    child.vma.linked = true; // anon_vma_chain_link
    av.refcount = av.refcount + 1;
    yield 'anon_vma_fork: unlock_anon_vma_root()';
    av.rwsem.up_write();
  }
  yield* copy_page_range(t, child.vma, parent.vma);
}
