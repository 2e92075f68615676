import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { guard, type Kernel, KObject } from '../kernel.ts';
import type { KMutex } from '../lockdep.ts';

/**
 * A PTE page table with its split PTL (`pte_offset_map_lock()`): one per process in the
 * simulator, covering the process's one VMA. Entries are immutable values:
 * - `none`;
 * - `present`: a page of a folio, with write and dirty bits;
 * - `swap`: a swap entry (the slot's name) with the pte_swp_exclusive bit;
 * - `migration`: a migration entry for a folio under migration: writable, readable-exclusive
 *   (`excl`: the page was PageAnonExclusive) or readable.
 * Fields: `ptl` (mutex), `freed` (freed by free_pgd_range), `pte[i]`.
 * Model: one page-table level; PMD mappings and PMD-level locks are not modelled.
 */
export type Pte =
  | { readonly t: 'none' }
  | { readonly t: 'present'; readonly folio: string; readonly page: number; readonly write: boolean }
  | { readonly t: 'swap'; readonly entry: string; readonly excl: boolean }
  | { readonly t: 'migration'; readonly folio: string; readonly write: boolean; readonly excl: boolean };

export const PTE_NONE: Pte = Object.freeze({ t: 'none' });

export function mk_pte(folio: string, page: number, write: boolean): Pte {
  return Object.freeze({ t: 'present', folio, page, write });
}
export function swp_entry_to_pte(entry: string, excl: boolean): Pte {
  return Object.freeze({ t: 'swap', entry, excl });
}
/**
 * make_writable_migration_entry / make_readable_exclusive_migration_entry /
 * make_readable_migration_entry (include/linux/swapops.h), chosen as make_migration_pte() does
 * in mm/rmap.c @ AMDESE/linux-mm 448bccf6cf9e: a writable entry is exclusive too.
 */
export function make_migration_entry(folio: string, write: boolean, excl: boolean = write): Pte {
  return Object.freeze({ t: 'migration', folio, write, excl: write || excl });
}
/**
 * pte_same(): the kernel compares whole PTE values (pte_val(a) == pte_val(b)), so a swap PTE's
 * exclusive bit (an arch software bit in the swap PTE, __HAVE_ARCH_PTE_SWP_EXCLUSIVE) takes part.
 */
export function pte_same(a: Pte, b: Pte): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'none':
      return true;
    case 'present': {
      const q = b as typeof a;
      return a.folio === q.folio && a.page === q.page && a.write === q.write;
    }
    case 'swap': {
      const q = b as typeof a;
      return a.entry === q.entry && a.excl === q.excl;
    }
    case 'migration': {
      const q = b as typeof a;
      return a.folio === q.folio && a.write === q.write && a.excl === q.excl;
    }
  }
}

/**
 * pte_same_as_swp - compare swap PTEs by their swap entry, flag bits cleared.
 * Kernel: mm/swapfile.c pte_same_as_swp() "return pte_same(pte_swp_clear_flags(pte), swp_pte)"
 * (swapoff's unuse_pte() re-check, which then reads pte_swp_exclusive() from the PTE under the
 * PTL; read in a mainline-derived folio-era copy); pte_swp_clear_flags() (include/linux/swapops.h)
 * clears the exclusive bit since 1493a1913e34, read in its posting, and the soft-dirty and uffd-wp
 * bits. The model's swap PTE has one flag, `excl`; any
 * other PTE compares as pte_same().
 * Used only by the swp_exclusive_read_before_ptl mutation (R16): do_swap_page() itself compares
 * whole values with pte_same(), exclusive bit included.
 */
export function pte_same_as_swp(a: Pte, b: Pte): boolean {
  if (a.t === 'swap' && b.t === 'swap') return a.entry === b.entry;
  return pte_same(a, b);
}

export class PageTable extends KObject {
  readonly ptl: KMutex;
  readonly kFreed: number;
  readonly kPte: number[];
  constructor(
    k: Kernel,
    name: string,
    readonly size: number,
  ) {
    super(k, name);
    // the PTL is an object of its own (KObject.fieldMutex): I17 reads only `freed`
    this.ptl = this.fieldMutex('ptl', 'pte_lock');
    this.kFreed = this.key('freed');
    // Each PTE is an object of its own (same key name, `pt#A.pte[0]`): invariants about one
    // entry are scoped to it, not to the whole table.
    this.kPte = Array.from({ length: size }, (_, i) => this.mem.key(`${name}.pte[${i}]`, ''));
  }
  /** The objects of the entries (for scoping checks). */
  pteObjects(): string[] {
    return Array.from({ length: this.size }, (_, i) => `${this.name}.pte[${i}]`);
  }
  init(): void {
    this.mem.init(this.ptl.key, -1);
    this.mem.init(this.kFreed, false);
    for (const k of this.kPte) this.mem.init(k, PTE_NONE);
  }
  get freed(): boolean {
    return this.r(this.kFreed);
  }
  set freed(v: boolean) {
    this.w(this.kFreed, v);
  }
  /** ptep_get(): reading a freed page table is a use-after-free (I17). */
  get(addr: number): Pte {
    this.checkAddr(addr);
    if (this.freed)
      bug(INV.I17, `read of ${this.name} pte[${addr}] after free_pgd_range() freed the page table`);
    return this.r(this.kPte[addr]);
  }
  /** The value without the liveness check (invariants). */
  peekPte(addr: number): Pte {
    return this.r(this.kPte[addr]);
  }
  /** set_pte_at() and friends: the caller must hold the PTL (I15). */
  set(addr: number, v: Pte): void {
    this.checkAddr(addr);
    if (this.ptl.holder() !== this.k.current)
      guard(this.k, INV.I15, `${this.name} pte[${addr}] written without holding its PTL`);
    if (this.freed) bug(INV.I17, `PTE install into ${this.name}, which free_pgd_range() freed`);
    const old = this.r(this.kPte[addr]) as Pte;
    this.w(this.kPte[addr], v);
    ghost(this.k, old, -1);
    ghost(this.k, v, 1);
  }
  heldByMe(): boolean {
    return this.ptl.holder() === this.k.current;
  }
  private checkAddr(addr: number): void {
    if (!(Number.isInteger(addr) && addr >= 0 && addr < this.size))
      throw new RangeError(`address ${addr} is outside ${this.name} (0..${this.size - 1})`);
  }
}

/**
 * Ghost counters kept with every PTE write (setup included): how many present (and writable)
 * PTEs map each folio, how many swap PTEs hold each entry. The invariants compare them with the
 * mapcounts and swap counts without scanning every page table.
 */
export function ghost(k: Kernel, p: Pte, d: number): void {
  const mem = k.mem;
  if (p.t === 'present') {
    const f = k.lookup<{ kPtes: number; kWPtes: number; name: string }>(p.folio, 'folio');
    ghostAdd(k, f.kPtes, d);
    if (p.write) ghostAdd(k, f.kWPtes, d);
  } else if (p.t === 'swap') {
    const s = k.lookup<{ kPtes: number; name: string }>(p.entry, 'swap entry');
    ghostAdd(k, s.kPtes, d);
  }
  void mem;
}

function ghostAdd(k: Kernel, key: number, d: number): void {
  if (k.m.current === -1) k.setup(key, (k.mem.peekValue(key) as number) + d);
  else k.mem.add(key, d);
}
