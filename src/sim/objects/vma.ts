import { type Kernel, KObject } from '../kernel.ts';
import type { AnonVma } from './anon_vma.ts';
import type { MmStruct } from './mm_struct.ts';
import type { AddressSpace } from './page_cache.ts';

/**
 * struct vm_area_struct: one per process in the simulator, pages 0..size-1 of its page table.
 * Fields: `linked` (in its rmap tree: the anon_vma interval tree, or the file's i_mmap tree;
 * cleared by unlink_anon_vmas / unlink_file_vma).
 * Model: VMAs are fixed per scenario (no mmap/mprotect/split); a child's VMA exists from setup
 * and is linked by fork.
 */
export class Vma extends KObject {
  readonly kLinked: number;
  /**
   * The mTHP sizes (in pages) enabled for this VMA, largest first: the
   * /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/enabled settings that
   * thp_vma_allowable_orders() reads (ProcessOptions.mthp). Empty: order-0 faults only.
   */
  thp_sizes: readonly number[] = [];
  constructor(
    k: Kernel,
    name: string,
    readonly mm: MmStruct,
    readonly anon_vma: AnonVma | null,
    readonly file: AddressSpace | null,
    /** VM_SHARED: a shared file mapping (no COW). */
    readonly shared: boolean,
  ) {
    super(k, name);
    this.kLinked = this.key('linked');
  }
  init(linked: boolean): void {
    this.mem.init(this.kLinked, linked);
  }
  get linked(): boolean {
    return this.r(this.kLinked);
  }
  set linked(v: boolean) {
    this.w(this.kLinked, v);
  }
}
