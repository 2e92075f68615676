import { type Kernel, KObject } from '../kernel.ts';
import type { AnonVma } from './anon_vma.ts';
import type { MmStruct } from './mm_struct.ts';
import type { AddressSpace } from './page_cache.ts';

/**
 * struct vm_area_struct: one per process in the simulator, pages 0..size-1 of its page table.
 * Fields: `linked` (in its rmap tree: the anon_vma interval tree, or the file's i_mmap tree;
 * cleared by unlink_anon_vmas / unlink_file_vma).
 * Model: VMAs are fixed per scenario (no mmap/munmap/split; mprotect changes VM_WRITE of the
 * whole VMA); a child's VMA exists from setup and is linked by fork.
 */
export class Vma extends KObject {
  readonly kLinked: number;
  /** VM_WRITE (mprotect changes it; anonymous VMAs start PROT_READ|PROT_WRITE). */
  readonly kVmWrite: number;
  /**
   * !VM_SOFTDIRTY: soft-dirty tracking armed by clear_refs (fs/proc/task_mmu.c); see
   * pte_needs_soft_dirty_wp() in ops/mprotect.ts. Model: no per-PTE soft-dirty bit: while set,
   * every PTE of the VMA counts as soft-clean.
   */
  readonly kSoftDirtyWp: number;
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
    this.kVmWrite = this.key('vm_write');
    this.kSoftDirtyWp = this.key('soft_dirty_tracking');
  }
  init(linked: boolean): void {
    this.mem.init(this.kLinked, linked);
    this.mem.init(this.kVmWrite, true);
    this.mem.init(this.kSoftDirtyWp, false);
  }
  get linked(): boolean {
    return this.r(this.kLinked);
  }
  set linked(v: boolean) {
    this.w(this.kLinked, v);
  }
  get vm_write(): boolean {
    return this.r(this.kVmWrite);
  }
  set vm_write(v: boolean) {
    this.w(this.kVmWrite, v);
  }
  get soft_dirty_tracking(): boolean {
    return this.r(this.kSoftDirtyWp);
  }
  set soft_dirty_tracking(v: boolean) {
    this.w(this.kSoftDirtyWp, v);
  }

  /**
   * R22 (k.lazyAnonVma): the VMA starts without an anon_vma (vma->anon_vma == NULL until the
   * first write fault's anon_vma_prepare()), and faults and fork take the per-VMA lock and the
   * mmap_lock. Only such VMAs have these keys; everywhere else the anon_vma is set at setup and
   * the locks are not modelled.
   */
  lazy = false;
  kAnonVmaSet = -1;
  /** vma_start_write(): the thread holding the VMA write lock (vm_lock_seq == mm_lock_seq), or -1. */
  kVmaWriter = -1;
  /** vma_start_read() holders. */
  kVmaReaders = -1;
  initLazy(): void {
    this.lazy = true;
    this.kAnonVmaSet = this.key('anon_vma_set');
    this.kVmaWriter = this.key('vm_lock.writer');
    this.kVmaReaders = this.key('vm_lock.readers');
    this.mem.init(this.kAnonVmaSet, false);
    this.mem.init(this.kVmaWriter, -1);
    this.mem.init(this.kVmaReaders, 0);
  }
  /** vma->anon_vma != NULL (always true for a VMA that is not lazy). */
  get anon_vma_set(): boolean {
    return !this.lazy || this.r(this.kAnonVmaSet);
  }
  set anon_vma_set(v: boolean) {
    this.w(this.kAnonVmaSet, v);
  }
  get vma_writer(): number {
    return this.r(this.kVmaWriter);
  }
  set vma_writer(v: number) {
    this.w(this.kVmaWriter, v);
  }
  get vma_readers(): number {
    return this.r(this.kVmaReaders);
  }
  set vma_readers(v: number) {
    this.w(this.kVmaReaders, v);
  }
}
