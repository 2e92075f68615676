import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { type Kernel, KObject, SimMisuse } from '../kernel.ts';
import type { KMutex } from '../lockdep.ts';

/**
 * struct folio: one refcount, one set of flags, one mapping, one memcg_data; a large folio has
 * per-page mapcounts plus the folio-wide aggregates.
 *
 * Fields (one memory key each, `folio#1.<field>`):
 * - `refcount` (_refcount), `mapcount` (small: _mapcount + 1; large: per page `mapcount[i]`),
 *   `large_mapcount`, `nr_pages_mapped`, `entire_mapcount` (large only, logical values: the
 *   kernel's -1 bias is left out);
 * - `lock` (PG_locked, a mutex holding the owner thread), `lru`, `swapcache`, `swap` (folio->swap:
 *   the swap slot name), `dirty`, `writeback`, `exclusive` (PageAnonExclusive of page 0);
 * - `mapping` (anon: the anon_vma name; file: the inode name), `memcg` (memcg_data: memcg name or
 *   null), `content` (the data, for COW checks), `freed`.
 * Model: `anon` and `nr` (folio_nr_pages) are fixed at allocation; KSM folios are not modelled.
 */
/** The small-folio fields that are objects of their own (Folio.fields), besides `lock`. */
const FOLIO_FIELDS = [
  'lru',
  'swapcache',
  'swap',
  'dirty',
  'writeback',
  'exclusive',
  'mapping',
  'lruvec',
  'content',
  'delayed_rmap',
  'ptl_pending',
];

export class Folio extends KObject {
  readonly kRef: number;
  readonly kMap: number[];
  readonly kLargeMap: number;
  readonly kNrMapped: number;
  readonly kEntire: number;
  readonly kLru: number;
  readonly kSwapcache: number;
  readonly kSwap: number;
  readonly kDirty: number;
  readonly kWriteback: number;
  readonly kExclusive: number;
  readonly kMapping: number;
  /** memcg_data, an object of its own (`folio#1.memcg`) so memcg invariants are scoped to it. */
  readonly kMemcg: number;
  /** Ghost (in the memcg object): the memcg a charge move is switching the folio to (I8). */
  readonly kMoving: number;
  /** The memcg whose LRU list (lruvec) holds the folio while `lru` is set (I10). */
  readonly kLruvec: number;
  readonly kContent: number;
  readonly kFreed: number;
  /** Ghost: rmap removals of this folio queued in an mmu_gather (I2 is not checked meanwhile). */
  readonly kDelayed: number;
  /**
   * Ghost: the page table whose PTL section changed the folio's PTEs but left its rmap for
   * later (only R4's mutation does): I2 waits for that PTL to be dropped.
   */
  readonly kPtlPending: number;
  /** Ghost (in the mapcount object): present PTEs mapping the folio, kept by PageTable.set(). */
  readonly kPtes: number;
  /** Ghost: writable present PTEs mapping the folio (I14). */
  readonly kWPtes: number;
  readonly lock: KMutex;
  /** Large folios: PageAnonExclusive of pages 1..nr-1 (page 0's is `kExclusive`); [0] is -1. */
  readonly kPageExcl: number[];
  /** Large folios: the data of pages 1..nr-1 (page 0's is `kContent`); [0] is -1. */
  readonly kPageContent: number[];
  /**
   * Large folios (CONFIG_MM_ID, era 'today'; in the mapcount object): the two MM-owner slots
   * `_mm_id[2]` (an mm name, null for MM_ID_DUMMY), their `_mm_id_mapcount[2]` (logical: the
   * kernel's -1 bias is left out) and FOLIO_MM_IDS_SHARED_BIT ("maybe mapped shared").
   */
  readonly kMmId: readonly [number, number];
  readonly kMmIdMapcount: readonly [number, number];
  readonly kMmShared: number;
  /** Large folios: folio->_pincount (FOLL_PIN pins; a small folio counts them in its refcount). */
  readonly kPincount: number;

  constructor(
    k: Kernel,
    name: string,
    readonly anon: boolean,
    readonly nr: number,
  ) {
    super(k, name);
    this.kRef = this.key('refcount');
    // The mapcounts and memcg_data are objects of their own (same key names), so invariants
    // about mapped-ness or charges are scoped to them and not to every folio field.
    this.kMap =
      nr === 1
        ? [this.mem.key(`${name}.mapcount`, '')]
        : Array.from({ length: nr }, (_, i) => this.mem.key(`${name}.mapcount[${i}]`, ''));
    this.kLargeMap = nr > 1 ? this.mem.key(`${name}.large_mapcount`, '') : -1;
    // Every field but refcount and freed (which nearly every check reads) is an object of its
    // own, under the same key name (KObject.fieldKey): each invariant is scoped to exactly the
    // fields it reads (FOLIO_FIELDS lists them), so e.g. a folio_lock() step is not ordered against
    // a refcount change on account of I1.
    this.kNrMapped = nr > 1 ? this.fieldKey('nr_pages_mapped') : -1;
    this.kEntire = nr > 1 ? this.fieldKey('entire_mapcount') : -1;
    this.kLru = this.fieldKey('lru');
    this.kSwapcache = this.fieldKey('swapcache');
    this.kSwap = this.fieldKey('swap');
    this.kDirty = this.fieldKey('dirty');
    this.kWriteback = this.fieldKey('writeback');
    this.kExclusive = this.fieldKey('exclusive');
    this.kMapping = this.fieldKey('mapping');
    this.kMemcg = this.mem.key(`${name}.memcg`, '');
    this.kLruvec = this.fieldKey('lruvec');
    this.kMoving = this.mem.key(`${name}.memcg.moving`, ''); // an object of its own: only I8 reads it
    this.kContent = this.fieldKey('content');
    this.kFreed = this.key('freed');
    this.kDelayed = this.fieldKey('delayed_rmap');
    this.kPtlPending = this.fieldKey('ptl_pending');
    const mo = this.mapcountObject();
    // the PTE ghosts too: I2 reads only `ptes`, I14 and I23 only `writable_ptes`
    this.kPtes = this.mem.key(`${mo}.ptes`, '');
    this.kWPtes = this.mem.key(`${mo}.writable_ptes`, '');
    this.lock = this.fieldMutex('lock', 'folio_lock');
    const pages = Array.from({ length: nr }, (_, i) => i);
    this.kPageExcl = pages.map((i) => (i === 0 ? -1 : this.fieldKey(`exclusive[${i}]`)));
    this.kPageContent = pages.map((i) => (i === 0 ? -1 : this.fieldKey(`content[${i}]`)));
    const lm = `${name}.large_mapcount`;
    this.kMmId = nr > 1 ? [this.mem.key(lm, 'mm_id[0]'), this.mem.key(lm, 'mm_id[1]')] : [-1, -1];
    this.kMmIdMapcount =
      nr > 1 ? [this.mem.key(lm, 'mm_id_mapcount[0]'), this.mem.key(lm, 'mm_id_mapcount[1]')] : [-1, -1];
    this.kMmShared = nr > 1 ? this.mem.key(lm, 'mm_ids_shared') : -1;
    this.kPincount = nr > 1 ? this.fieldKey('pincount') : -1;
  }

  /** Create every field (setup, or folio allocation inside a step). */
  init(v: { mapping: string | null; content: number; memcg?: string | null; refcount?: number }): void {
    const m = this.mem;
    m.init(this.kRef, v.refcount ?? 1);
    for (const k of this.kMap) m.init(k, 0);
    if (this.nr > 1) {
      m.init(this.kLargeMap, 0);
      m.init(this.kNrMapped, 0);
      m.init(this.kEntire, 0);
    }
    m.init(this.kLru, false);
    m.init(this.kSwapcache, false);
    m.init(this.kSwap, null);
    m.init(this.kDirty, false);
    m.init(this.kWriteback, false);
    m.init(this.kExclusive, false);
    m.init(this.kMapping, v.mapping);
    m.init(this.kMemcg, v.memcg ?? null);
    m.init(this.kLruvec, null);
    m.init(this.kMoving, null);
    m.init(this.kContent, v.content);
    m.init(this.kFreed, false);
    m.init(this.kDelayed, 0);
    m.init(this.kPtlPending, null);
    m.init(this.kPtes, 0);
    m.init(this.kWPtes, 0);
    m.init(this.lock.key, -1);
    if (this.nr > 1) {
      for (let i = 1; i < this.nr; i++) {
        m.init(this.kPageExcl[i], false);
        m.init(this.kPageContent[i], v.content);
      }
      for (const k of this.kMmId) m.init(k, null);
      for (const k of this.kMmIdMapcount) m.init(k, 0);
      m.init(this.kMmShared, false);
      m.init(this.kPincount, 0);
    }
  }

  /** The objects holding this folio's fields (for scoping invariants): all of them. */
  objects(): string[] {
    const out = [this.name, `${this.name}.memcg`];
    if (this.nr === 1) out.push(`${this.name}.mapcount`);
    else {
      for (let i = 0; i < this.nr; i++) out.push(`${this.name}.mapcount[${i}]`);
      out.push(`${this.name}.large_mapcount`);
    }
    const mo = this.mapcountObject();
    out.push(`${mo}.ptes`, `${mo}.writable_ptes`);
    const fields = [...FOLIO_FIELDS, 'lock', 'memcg.moving'];
    if (this.nr > 1) {
      fields.push('nr_pages_mapped', 'entire_mapcount', 'pincount');
      for (let i = 1; i < this.nr; i++) fields.push(`exclusive[${i}]`, `content[${i}]`);
    }
    return [...out, ...this.fields(...fields)];
  }
  /** The object of the ghost counting the present PTEs that map the folio (I2, I3). */
  ptesObject(): string {
    return `${this.mapcountObject()}.ptes`;
  }
  /** The object of the ghost counting the writable present PTEs that map it (I14, I23). */
  writablePtesObject(): string {
    return `${this.mapcountObject()}.writable_ptes`;
  }
  /** The object folio_memcg() reads (memcg_data is an object of its own, for scoping). */
  memcgObject(): string {
    return `${this.name}.memcg`;
  }
  /** The object folio_mapcount() reads. */
  mapcountObject(): string {
    return this.nr === 1 ? `${this.name}.mapcount` : `${this.name}.large_mapcount`;
  }

  /** Does this folio exist yet in the current execution (allocated folios appear mid-run)? */
  exists(): boolean {
    return this.mem.isLive(this.kRef);
  }

  get refcount(): number {
    return this.r(this.kRef);
  }
  set refcount(v: number) {
    this.w(this.kRef, v);
  }
  /** Small folio: the page's mapcount. */
  get mapcount(): number {
    return this.r(this.kMap[0]);
  }
  set mapcount(v: number) {
    this.w(this.kMap[0], v);
  }
  pageMapcount(i: number): number {
    return this.r(this.kMap[i]);
  }
  get large_mapcount(): number {
    return this.r(this.kLargeMap);
  }
  get nr_pages_mapped(): number {
    return this.r(this.kNrMapped);
  }
  get entire_mapcount(): number {
    return this.r(this.kEntire);
  }
  get lru(): boolean {
    return this.r(this.kLru);
  }
  set lru(v: boolean) {
    this.w(this.kLru, v);
  }
  get swapcache(): boolean {
    return this.r(this.kSwapcache);
  }
  set swapcache(v: boolean) {
    this.w(this.kSwapcache, v);
  }
  get swap(): string | null {
    return this.r(this.kSwap);
  }
  set swap(v: string | null) {
    this.w(this.kSwap, v);
  }
  get dirty(): boolean {
    return this.r(this.kDirty);
  }
  set dirty(v: boolean) {
    this.w(this.kDirty, v);
  }
  get writeback(): boolean {
    return this.r(this.kWriteback);
  }
  get lruvec(): string | null {
    return this.r(this.kLruvec);
  }
  set lruvec(v: string | null) {
    this.w(this.kLruvec, v);
  }
  get exclusive(): boolean {
    return this.r(this.kExclusive);
  }
  set exclusive(v: boolean) {
    this.w(this.kExclusive, v);
  }
  get mapping(): string | null {
    return this.r(this.kMapping);
  }
  set mapping(v: string | null) {
    this.w(this.kMapping, v);
  }
  get memcg(): string | null {
    return this.r(this.kMemcg);
  }
  set memcg(v: string | null) {
    this.w(this.kMemcg, v);
  }
  get content(): number {
    return this.r(this.kContent);
  }
  set content(v: number) {
    this.w(this.kContent, v);
  }
  get freed(): boolean {
    return this.r(this.kFreed);
  }
  set freed(v: boolean) {
    this.w(this.kFreed, v);
  }
  /** PageAnonExclusive(folio_page(folio, i)). */
  pageExclusive(i: number): boolean {
    return this.r(i === 0 ? this.kExclusive : this.kPageExcl[i]);
  }
  setPageExclusive(i: number, v: boolean): void {
    this.w(i === 0 ? this.kExclusive : this.kPageExcl[i], v);
  }
  /** The data of page i (a small folio's is `content`). */
  pageContent(i: number): number {
    return this.r(i === 0 ? this.kContent : this.kPageContent[i]);
  }
  setPageContent(i: number, v: number): void {
    this.w(i === 0 ? this.kContent : this.kPageContent[i], v);
  }
  /** folio_mm_id(folio, idx): the mm in owner slot idx, or null (MM_ID_DUMMY). */
  mmId(idx: 0 | 1): string | null {
    return this.r(this.kMmId[idx]);
  }
  /** _mm_id_mapcount[idx] (logical: 0 for a free slot). */
  mmIdMapcount(idx: 0 | 1): number {
    return this.r(this.kMmIdMapcount[idx]);
  }
  /** test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids). */
  get mm_ids_shared(): boolean {
    return this.r(this.kMmShared);
  }
  /** atomic_read(&folio->_pincount) (large folios only). */
  get pincount(): number {
    if (this.nr === 1) throw new SimMisuse(`${this.name}: a small folio has no _pincount`);
    return this.r(this.kPincount);
  }
  set pincount(v: number) {
    if (this.nr === 1) throw new SimMisuse(`${this.name}: a small folio has no _pincount`);
    this.w(this.kPincount, v);
  }
}

/** folio_mapcount(): large folios report _large_mapcount (v6.10+). */
export function folio_mapcount(f: Folio): number {
  return f.nr === 1 ? f.mapcount : f.large_mapcount;
}

/** folio_mapped(): is any page of the folio mapped? */
export function folio_mapped(f: Folio): boolean {
  return folio_mapcount(f) > 0;
}

export function folio_test_locked(f: Folio): boolean {
  return f.lock.holder() !== -1;
}

/** Does the running thread hold the folio lock? */
export function folio_locked_by_me(f: Folio): boolean {
  return f.lock.holder() === f.k.current;
}

/** A kernel path touching a freed folio: a use-after-free, recorded as a finding (I3). */
export function assertLive(f: Folio, what: string): void {
  if (!f.exists()) throw new SimMisuse(`${what}: ${f.name} has not been allocated`);
  if (f.freed) bug(INV.I3, `${what}: use-after-free of ${f.name}`);
}

/**
 * GUP_PIN_COUNTING_BIAS - what one FOLL_PIN adds to a small folio's refcount.
 * Kernel: include/linux/mm.h "#define GUP_PIN_COUNTING_BIAS (1U << 10)"; mm/gup.c
 * try_grab_folio() "folio_ref_add(folio, refs * GUP_PIN_COUNTING_BIAS)" for a folio without
 * _pincount (read at ColinIanKing/linux-next 02c39c227190).
 */
export const GUP_PIN_COUNTING_BIAS = 1024;

/**
 * folio_maybe_dma_pinned - may the folio be pinned (FOLL_PIN) for DMA?
 * Kernel: include/linux/mm.h folio_maybe_dma_pinned() (read in a mainline-derived copy via the
 * search tool): "if (folio_has_pincount(folio)) return atomic_read(&folio->_pincount) > 0;" else
 * "return ((unsigned int)folio_ref_count(folio)) >= GUP_PIN_COUNTING_BIAS" — fuzzy for small
 * folios: false means "definitely not pinned", true may be a false positive; exact for large
 * ones. folio_has_pincount() is folio_test_large() on 64-bit.
 */
export function folio_maybe_dma_pinned(f: Folio): boolean {
  if (f.nr > 1) return f.pincount > 0;
  return f.refcount >= GUP_PIN_COUNTING_BIAS;
}

/**
 * folio_needs_cow_for_dma - must fork copy this anon folio instead of sharing it?
 * Kernel: include/linux/mm.h folio_needs_cow_for_dma() (read in a mainline-derived copy):
 * VM_BUG_ON(!(raw_read_seqcount(&vma->vm_mm->write_protect_seq) & 1)); "if
 * (!mm_flags_test(MMF_HAS_PINNED, vma->vm_mm)) return false; return folio_maybe_dma_pinned(folio)".
 * Model: MMF_HAS_PINNED is not modelled (only an optimisation: it is set by the first FOLL_PIN
 * of the mm, and only pinned folios pass the second test); no write_protect_seq.
 */
export function folio_needs_cow_for_dma(f: Folio): boolean {
  return folio_maybe_dma_pinned(f);
}
