import { type Kernel, KObject } from '../kernel.ts';
import type { MemCgroup } from './mem_cgroup.ts';
import type { PageTable } from './page_table.ts';
import type { Vma } from './vma.ts';

/**
 * struct mm_struct: a process address space with one VMA and one page table, and the process's
 * view of its data: `expect[i]` is the value a read of page i must return (the last value this
 * process wrote there, or the one it inherited at fork): the reference for I13 (COW isolation).
 * Model: mmap_lock is not modelled; scenarios never race VMA changes with faults in the same mm
 * (fork and the parent's later accesses run on one thread). mm_users starts at 1: the process's
 * tasks together hold one reference, dropped by `t.exit_mmap(p)` (mmput); the scenario builder
 * refuses a thread that uses the mm directly while another runs its exit (the kernel cannot:
 * exit_mmap runs only once mm_users is 0). Others reach the mm through mmget_not_zero().
 */
export class MmStruct extends KObject {
  pt!: PageTable;
  vma!: Vma;
  /** The memcg its folios are charged to at setup (mm->owner's), or null. */
  memcg: MemCgroup | null = null;
  /** mm->owner's memcg now (charge moving moves the task): a memcg name or null. */
  readonly kMemcg: number;
  readonly kExpect: number[];
  /** mm->mm_users: the tasks (and remote accessors holding mmget) using this mm; 1 at setup. */
  readonly kUsers: number;
  /** Whether the mm still has its VMA (exit_mmap's remove_vma() / __mt_destroy() clears it). */
  readonly kHasVmas: number;
  constructor(
    k: Kernel,
    name: string,
    readonly label: string,
    readonly size: number,
  ) {
    super(k, name);
    this.kExpect = Array.from({ length: size }, (_, i) => this.key(`expect[${i}]`));
    this.kMemcg = this.key('memcg');
    this.kUsers = this.key('mm_users');
    this.kHasVmas = this.key('has_vmas');
  }
  init(): void {
    for (const k of this.kExpect) this.mem.init(k, null);
    this.mem.init(this.kMemcg, null);
    this.mem.init(this.kUsers, 1);
    this.mem.init(this.kHasVmas, true);
  }
  /** The mm still has its VMA (its maple tree is not destroyed yet): find_vma() can succeed. */
  get has_vmas(): boolean {
    return this.r(this.kHasVmas);
  }
  set has_vmas(v: boolean) {
    this.w(this.kHasVmas, v);
  }
  get mm_users(): number {
    return this.r(this.kUsers);
  }
  set mm_users(v: number) {
    this.w(this.kUsers, v);
  }
  /** The memcg the mm's owner is in now (charge moving changes it), or null. */
  get owner_memcg(): string | null {
    return this.r(this.kMemcg);
  }
  /** What a user load of page `addr` must return: the last value this process wrote or inherited. */
  expect(addr: number): number | null {
    return this.r(this.kExpect[addr]);
  }
  setExpect(addr: number, v: number | null): void {
    this.w(this.kExpect[addr], v);
  }
  /**
   * The PMD entry over the process's pages (R20), modelled only when a scenario asks (k.pmd):
   * the name of the PTE table it points to, or null (pmd_none: detached by PT reclaim, or not
   * yet allocated). Without it, `pt` is the one table, fixed for the whole run.
   */
  kPmd = -1;
  /** Whether this mm's PMD is modelled (set at setup by k.pmd). */
  hasPmd = false;
  /** The spare PTE table pte_alloc() installs once PT reclaim freed the first one. */
  spare: PageTable | null = null;
  initPmd(pt: PageTable, spare: PageTable): void {
    this.hasPmd = true;
    this.spare = spare;
    this.kPmd = this.key('pmd');
    this.mem.init(this.kPmd, pt.name);
  }
  /** pmdp_get_lockless(): the PTE table the PMD points to, or null. */
  get pmd(): string | null {
    return this.r(this.kPmd);
  }
  set pmd(v: string | null) {
    this.w(this.kPmd, v);
  }
  /** mmap_lock (R22, modelled with k.lazyAnonVma): the writer's thread index or -1, and readers. */
  kMmapWriter = -1;
  kMmapReaders = -1;
  initMmapLock(): void {
    if (this.kMmapWriter !== -1) return;
    this.kMmapWriter = this.key('mmap_lock.writer');
    this.kMmapReaders = this.key('mmap_lock.readers');
    this.mem.init(this.kMmapWriter, -1);
    this.mem.init(this.kMmapReaders, 0);
  }
  get mmap_writer(): number {
    return this.r(this.kMmapWriter);
  }
  set mmap_writer(v: number) {
    this.w(this.kMmapWriter, v);
  }
  get mmap_readers(): number {
    return this.r(this.kMmapReaders);
  }
  set mmap_readers(v: number) {
    this.w(this.kMmapReaders, v);
  }
}
