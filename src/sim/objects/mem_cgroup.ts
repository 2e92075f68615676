import type { Mutex } from '../../explorer/index.ts';
import { type Kernel, KObject } from '../kernel.ts';

/**
 * struct mem_cgroup: page counters `memory`, `memsw` (cgroup v1 memory+swap), `swap` (v2), the
 * mapped-page stats `anon_mapped` / `file_mapped` (NR_ANON_MAPPED / NR_FILE_MAPPED of its
 * lruvec), `lru` (the folios on its LRU list: the lruvec, for I10), and `moving_account` +
 * `move_lock` (lock_page_memcg / folio_memcg_lock of the charge-moving era).
 * Model: no limits, no reclaim, no hierarchy; a charge always succeeds.
 */
export class MemCgroup extends KObject {
  readonly kMemory: number;
  readonly kMemsw: number;
  readonly kSwap: number;
  readonly kAnonMapped: number;
  readonly kFileMapped: number;
  readonly kMoving: number;
  readonly move_lock: Mutex;
  constructor(k: Kernel, name: string) {
    super(k, name);
    this.kMemory = this.key('memory');
    this.kMemsw = this.key('memsw');
    this.kSwap = this.key('swap');
    this.kAnonMapped = this.key('anon_mapped');
    this.kFileMapped = this.key('file_mapped');
    this.kMoving = this.key('moving_account');
    this.move_lock = this.mutex('move_lock');
  }
  init(): void {
    for (const k of [this.kMemory, this.kMemsw, this.kSwap, this.kAnonMapped, this.kFileMapped, this.kMoving])
      this.mem.init(k, 0);
    this.mem.init(this.move_lock.key, -1);
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
}
