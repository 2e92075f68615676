import { type Kernel, KObject } from '../kernel.ts';
import { KMutex } from '../lockdep.ts';

/**
 * struct mem_cgroup: page counters `memory`, `memsw` (cgroup v1 memory+swap), `swap` (v2), their
 * watermarks `memory_peak` / `swap_peak` (page_counter->watermark: memory.peak, memory.swap.peak), the
 * mapped-page stats `anon_mapped` / `file_mapped` (NR_ANON_MAPPED / NR_FILE_MAPPED of its
 * lruvec), `lru` (the folios on its LRU list: the lruvec, for I10), and `moving_account` +
 * `move_lock` (lock_page_memcg / folio_memcg_lock of the charge-moving era).
 * `v2`: the hierarchy the memcg lives in, fixed at creation. It decides do_memsw_account()
 * (mm/memcontrol-v1.h: cgroup v1 with swap accounting): v1 counts memory+swap in `memsw` and
 * never touches `swap`; v2 counts swap in `swap` and never touches `memsw`. The kernel decides it
 * once for the whole system, so a scenario's memcgs all share one hierarchy (ScenarioBuilder.memcg).
 * Model: no limits, no reclaim, no hierarchy; a charge always succeeds.
 */
export class MemCgroup extends KObject {
  readonly kMemory: number;
  readonly kMemsw: number;
  readonly kSwap: number;
  readonly kAnonMapped: number;
  readonly kFileMapped: number;
  readonly kMoving: number;
  readonly move_lock: KMutex;
  /** lruvec->lru_lock of this memcg's lruvec (an object of its own: `memcg#A.lruvec`). */
  readonly lru_lock: KMutex;
  readonly kMemoryPeak: number;
  readonly kSwapPeak: number;
  constructor(
    k: Kernel,
    name: string,
    readonly v2 = false,
  ) {
    super(k, name);
    // all counters but `memory` (I6, I7) are objects of their own (KObject.fieldKey): I7 also
    // reads memsw, I8 anon_mapped and file_mapped, the swap half of I6 swap or memsw
    this.kMemory = this.key('memory');
    this.kMemsw = this.fieldKey('memsw');
    this.kSwap = this.fieldKey('swap');
    this.kAnonMapped = this.fieldKey('anon_mapped');
    this.kFileMapped = this.fieldKey('file_mapped');
    this.kMoving = this.fieldKey('moving_account');
    this.move_lock = this.fieldMutex('move_lock', 'memcg->move_lock');
    const lru = this.mem.key(`${name}.lruvec`, 'lru_lock');
    this.lru_lock = new KMutex(k.m, lru, `${name}.lruvec.lru_lock`, 'lruvec->lru_lock', k.lockdep);
    this.kMemoryPeak = this.fieldKey('memory_peak');
    this.kSwapPeak = this.fieldKey('swap_peak');
  }
  init(): void {
    for (const k of [this.kMemory, this.kMemsw, this.kSwap, this.kAnonMapped, this.kFileMapped, this.kMoving])
      this.mem.init(k, 0);
    this.mem.init(this.move_lock.key, -1);
    this.mem.init(this.lru_lock.key, -1);
    this.mem.init(this.kMemoryPeak, 0);
    this.mem.init(this.kSwapPeak, 0);
  }
  get memory(): number {
    return this.r(this.kMemory);
  }
  get memsw(): number {
    return this.r(this.kMemsw);
  }
  get anon_mapped(): number {
    return this.r(this.kAnonMapped);
  }
  get file_mapped(): number {
    return this.r(this.kFileMapped);
  }
  get moving_account(): number {
    return this.r(this.kMoving);
  }
  /** memory.swap.current (cgroup v2 only). */
  get swap(): number {
    return this.r(this.kSwap);
  }
  /** memory.peak: the memory counter's watermark since creation. */
  get memory_peak(): number {
    return this.r(this.kMemoryPeak);
  }
  /** memory.swap.peak (cgroup v2 only). */
  get swap_peak(): number {
    return this.r(this.kSwapPeak);
  }
}

/**
 * struct move_charge_struct `mc` (memcg v1 charge moving, mm/memcontrol-v1.c until v6.12):
 * `from`, `to`, `precharge` (charged to `to` by the precharge pass, not yet used),
 * `moved_charge` (pages moved, still charged to `from` until mem_cgroup_clear_mc),
 * `moved_swap`. One per kernel ("mc and its members are protected by cgroup_mutex").
 */
export class MoveCharge extends KObject {
  readonly kFrom: number;
  readonly kTo: number;
  readonly kPrecharge: number;
  readonly kMoved: number;
  readonly kMovedSwap: number;
  constructor(k: Kernel) {
    super(k, 'mc');
    this.kFrom = this.key('from');
    this.kTo = this.key('to');
    this.kPrecharge = this.key('precharge');
    this.kMoved = this.key('moved_charge');
    this.kMovedSwap = this.key('moved_swap');
  }
  init(): void {
    this.mem.init(this.kFrom, null);
    this.mem.init(this.kTo, null);
    this.mem.init(this.kPrecharge, 0);
    this.mem.init(this.kMoved, 0);
    this.mem.init(this.kMovedSwap, 0);
  }
  get from(): string | null {
    return this.r(this.kFrom);
  }
  get to(): string | null {
    return this.r(this.kTo);
  }
  get precharge(): number {
    return this.r(this.kPrecharge);
  }
  get moved_charge(): number {
    return this.r(this.kMoved);
  }
}
