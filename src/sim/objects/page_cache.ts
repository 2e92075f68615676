import { type Kernel, KObject } from '../kernel.ts';
import { RwSem } from './locks.ts';
import type { Vma } from './vma.ts';

/**
 * struct address_space of a file: the page cache (`pages[index]` → folio name) and the i_mmap
 * tree (the VMAs in `vmas` whose `linked` flag is set) under `i_mmap_rwsem`.
 * Model: the xarray and its i_pages lock are one step; no shadow entries.
 */
export class AddressSpace extends KObject {
  readonly kPages: number[];
  readonly i_mmap_rwsem: RwSem;
  readonly vmas: Vma[] = [];
  constructor(
    k: Kernel,
    name: string,
    readonly size: number,
  ) {
    super(k, name);
    this.kPages = Array.from({ length: size }, (_, i) => this.key(`pages[${i}]`));
    this.i_mmap_rwsem = new RwSem(this, k, 'i_mmap_rwsem', 'mapping->i_mmap_rwsem');
  }
  init(): void {
    for (const k of this.kPages) this.mem.init(k, null);
    this.i_mmap_rwsem.init();
  }
  /** xa_load(&mapping->i_pages, index) */
  page(index: number): string | null {
    return this.r(this.kPages[index]);
  }
  setPage(index: number, folio: string | null): void {
    this.w(this.kPages[index], folio);
  }
  /**
   * The file's data on disk (`disk[i]`), kept only for a file made with k.file(n, { disk: true })
   * (R19, I22): writeback stores the folio's content there; a clean page-cache folio must hold
   * what the disk holds, or a write was lost.
   */
  readonly kDisk: number[] = [];
  get hasDisk(): boolean {
    return this.kDisk.length > 0;
  }
  initDisk(): void {
    for (let i = 0; i < this.size; i++) {
      // an object of its own (only I22, a final check, reads it): I1 and I3 read the pages
      this.kDisk.push(this.fieldKey(`disk[${i}]`));
      this.mem.init(this.kDisk[i], null);
    }
  }
  disk(index: number): number | null {
    return this.r(this.kDisk[index]);
  }
  setDisk(index: number, v: number): void {
    this.w(this.kDisk[index], v);
  }
}
