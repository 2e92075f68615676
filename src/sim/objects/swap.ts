import { type Kernel, KObject } from '../kernel.ts';

/**
 * A swap slot (one entry of a swap device's swap_map) and its swap-cache entry.
 * Fields: `count` (swap_map usage: swap PTEs referencing the entry), `has_cache`
 * (SWAP_HAS_CACHE: a swap-cache folio exists or a swapin claimed the entry), `cache` (the
 * swap-cache folio, the swap cache's xarray slot), `data` (what pageout wrote; null if never
 * written), `memcg` (the swap_cgroup record).
 * A slot is free when count == 0 and !has_cache; folio_alloc_swap() takes the lowest free one,
 * so entry values are recycled (the ABA of R17).
 * `sync_io`: the device is SWP_SYNCHRONOUS_IO (zram, pmem, brd: reads complete synchronously), so
 * do_swap_page() may skip the swap cache for an entry with one user. A property of the device,
 * kept on each slot (all slots of a scenario agree: ScenarioBuilder.swapSlot).
 * Model: one swap device, order-0 entries, no cluster lock (its critical sections are single steps).
 */
export class SwapSlot extends KObject {
  readonly kCount: number;
  readonly kHasCache: number;
  readonly kCache: number;
  readonly kData: number;
  readonly kMemcg: number;
  /** Ghost: swap PTEs holding this entry, kept by PageTable.set() (I11, I12). */
  readonly kPtes: number;
  constructor(
    k: Kernel,
    name: string,
    readonly sync_io = false,
  ) {
    super(k, name);
    // count, has_cache, data and memcg are objects of their own (KObject.fieldKey): I11 reads
    // count and has_cache, I12 data, the swap half of I6 memcg; all read cache and swap_ptes
    this.kCount = this.fieldKey('count');
    this.kHasCache = this.fieldKey('has_cache');
    this.kCache = this.key('cache');
    this.kData = this.fieldKey('data');
    this.kMemcg = this.fieldKey('memcg');
    this.kPtes = this.key('swap_ptes');
  }
  init(v: { count?: number; cache?: string | null; data?: number | null; memcg?: string | null } = {}): void {
    this.mem.init(this.kCount, v.count ?? 0);
    this.mem.init(this.kHasCache, (v.cache ?? null) !== null);
    this.mem.init(this.kCache, v.cache ?? null);
    this.mem.init(this.kData, v.data ?? null);
    this.mem.init(this.kMemcg, v.memcg ?? null);
    this.mem.init(this.kPtes, 0);
  }
  get count(): number {
    return this.r(this.kCount);
  }
  set count(v: number) {
    this.w(this.kCount, v);
  }
  get has_cache(): boolean {
    return this.r(this.kHasCache);
  }
  set has_cache(v: boolean) {
    this.w(this.kHasCache, v);
  }
  get cache(): string | null {
    return this.r(this.kCache);
  }
  set cache(v: string | null) {
    this.w(this.kCache, v);
  }
  get data(): number | null {
    return this.r(this.kData);
  }
  set data(v: number | null) {
    this.w(this.kData, v);
  }
  get memcg(): string | null {
    return this.r(this.kMemcg);
  }
  set memcg(v: string | null) {
    this.w(this.kMemcg, v);
  }
  isFree(): boolean {
    return this.count === 0 && !this.has_cache;
  }
}
