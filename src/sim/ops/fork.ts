import type { Task } from '../kernel.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { copy_pte_range } from './memory.ts';
import type { Op } from './op.ts';

/**
 * dup_mmap - fork: link the child VMA into the parent's anon_vma tree, then copy the page table.
 * Kernel: kernel/fork.c dup_mmap() → anon_vma_fork() (mm/rmap.c: anon_vma_clone under the root
 * rwsem, get_anon_vma) → copy_page_range() @ v6.19+ [unverified: catalog's word, not re-read]. Rule R16.
 * Model: the child's own anon_vma is not created: its VMA joins the parent's anon_vma (which
 * takes one more reference); mmap_lock is not modelled.
 */
export function* dup_mmap(t: Task, parent: MmStruct, child: MmStruct): Op {
  const av = parent.vma.anon_vma;
  if (av !== null) {
    yield av.rwsem.down_write('anon_vma_fork: anon_vma_clone(): lock_anon_vma_root()');
    av.rwsem.took_write();
    child.vma.linked = true; // anon_vma_chain_link
    av.refcount = av.refcount + 1;
    yield 'anon_vma_fork: unlock_anon_vma_root()';
    av.rwsem.up_write();
  }
  yield* copy_pte_range(t, child.vma, parent.vma);
}
