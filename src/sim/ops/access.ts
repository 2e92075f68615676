import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { SimMisuse, type Task } from '../kernel.ts';
import type { Folio } from '../objects/folio.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import { PTE_NONE } from '../objects/page_table.ts';
import { tlbOf } from '../objects/tlb.ts';
import { mmget_not_zero, mmput } from './fork.ts';
import { handle_pte_fault, lock_vma_under_rcu } from './memory.ts';
import type { Op } from './op.ts';

/**
 * A user load or store at page `addr` of `mm`: the CPU walks the page table (no lock); if the
 * PTE does not allow the access, the kernel's fault handler runs and the access is retried.
 * Not a kernel function: this is the hardware side (arch page-table walk + do_user_addr_fault).
 * A load checks I13: it must return what this process last wrote there (or inherited at fork).
 * Model: no TLB, except the writable entries a scenario declares (k.tlbEntry, R19): a store
 * through one needs no walk and sets no dirty bit; at most 4 faults per access, then the access
 * is abandoned (a livelock bound); an mm whose VMAs exit_mmap() removed has nothing to access
 * (find_vma fails: null); a store to a VMA mprotect() made PROT_READ is SIGSEGV (null), a read
 * fault there is SimMisuse (the do_anonymous_page / do_swap_page models map writable as if
 * VM_WRITE).
 */
export function* user_access(t: Task, mm: MmStruct, addr: number, store: number | null): Op<number | null> {
  const write = store !== null;
  for (let tries = 0; tries < 4; tries++) {
    yield `${write ? `store ${store} to` : 'load from'} ${mm.label}[${addr}]`;
    if (!mm.has_vmas) return null; // find_vma() fails: -EFAULT (SIGSEGV for the task itself)
    // R19: a CPU that still holds a writable TLB entry for the page stores without a walk
    const cached = write ? (tlbOf(t.k, mm.label)?.entry(addr) ?? null) : null;
    if (cached !== null) {
      const f = t.k.lookup<Folio>(cached, 'folio');
      if (f.freed) bug(INV.I3, `${mm.label}[${addr}]: a stale TLB entry writes ${f.name}, which was freed`);
      f.content = store as number;
      mm.setExpect(addr, store);
      return store;
    }
    // R20: where the PMD is modelled, the walk goes through it (pmd_none: no table, no PTE)
    const table = mm.hasPmd ? mm.pmd : mm.pt.name;
    const p = table === mm.pt.name ? mm.pt.get(addr) : table === null ? PTE_NONE : mm.spare!.get(addr);
    if (p.t === 'present' && (!write || p.write)) {
      const f = t.k.lookup<Folio>(p.folio, 'folio');
      if (f.freed) bug(INV.I3, `${mm.label}[${addr}] maps ${f.name}, which was freed`);
      if (write) {
        f.setPageContent(p.page, store as number);
        mm.setExpect(addr, store);
        return store;
      }
      const v = f.pageContent(p.page);
      const e = mm.expect(addr);
      if (e !== null && v !== e)
        bug(
          INV.I13,
          `${mm.label} loads ${v} from page ${addr}, but the last value it wrote or inherited there is ${e}`,
        );
      return v;
    }
    if (!mm.vma.vm_write) {
      // do_user_addr_fault(): access_error() for a write to a VMA without VM_WRITE: SIGSEGV
      if (write) return null;
      throw new SimMisuse(
        `${mm.label}[${addr}]: a read fault while the VMA is PROT_READ (between mprotect() calls) is not modelled`,
      );
    }
    if (mm.vma.lazy) {
      // R22: the fault runs under the per-VMA read lock, or the mmap_lock if that fails
      const unlock = yield* lock_vma_under_rcu(t, mm.vma);
      yield* handle_pte_fault(t, mm, addr, write, p);
      yield* unlock();
      continue;
    }
    yield* handle_pte_fault(t, mm, addr, write, p);
  }
  return null;
}

/**
 * access_remote_vm - another process reads or writes this mm (/proc/pid/mem, process_vm_readv,
 * ptrace): pin the mm with mmget_not_zero(), fault the page in and copy, then mmput() — which
 * runs exit_mmap() itself if the owner exited meanwhile. Returns null if the mm was exiting.
 * Kernel: fs/proc/base.c mem_rw() "if (!mmget_not_zero(mm)) goto free_page" →
 * mm/memory.c access_remote_vm() → __access_remote_vm() (get_user_pages_remote) → mmput()
 * (read in mainline-derived copies via the search tool). Rule R3(b).
 * Model: the GUP fault and the copy are user_access() (no mmap_lock, no pin kept).
 */
export function* access_remote_vm(
  t: Task,
  mm: MmStruct,
  addr: number,
  store: number | null,
): Op<number | null> {
  if (!(yield* mmget_not_zero(t, mm))) return null; // -EIO: the mm is exiting
  const v = yield* user_access(t, mm, addr, store);
  yield* mmput(t, mm);
  return v;
}
