import type { AwaitRequest } from '../../explorer/index.ts';
import { until } from '../../explorer/index.ts';
import { type Kernel, type KObject, SimMisuse } from '../kernel.ts';
import type { LockClass } from '../lockdep.ts';

/**
 * A read-write semaphore (anon_vma->rwsem, i_mmap_rwsem): the writer's thread index and a reader
 * count, as two keys of the owning object. Blocking acquisitions are `until()` waits; trylocks
 * are plain steps.
 * Model: no fairness (a waiting writer does not block new readers), as rwsem_is_locked() sees it.
 */
export class RwSem {
  readonly kWriter: number;
  readonly kReaders: number;
  /** Its object (`anon_vma#A.rwsem`): apart from its owner's, for scoping checks. */
  readonly name: string;
  constructor(
    readonly owner: KObject,
    readonly k: Kernel,
    field: string,
    /** Its lock class for I18 (kernel order: i_mmap_rwsem before anon_vma->rwsem). */
    readonly cls: LockClass,
  ) {
    this.name = `${owner.name}.${field}`;
    this.kWriter = k.mem.key(this.name, 'writer');
    this.kReaders = k.mem.key(this.name, 'readers');
  }
  init(): void {
    this.k.mem.init(this.kWriter, -1);
    this.k.mem.init(this.kReaders, 0);
  }
  private get writer(): number {
    return this.k.mem.read(this.kWriter) as number;
  }
  /** How many readers hold it. */
  get readers(): number {
    return this.k.mem.read(this.kReaders) as number;
  }
  /** `yield rw.down_read(label)`, then `rw.took_read()` in the step it enables. */
  private get lockName(): string {
    return `${this.owner.name}.rwsem`;
  }
  down_read(label: string): AwaitRequest {
    this.k.lockdep.check(this.cls, this.lockName, label);
    this.k.lockdep.acquired(this.cls, this.lockName, label);
    return until(label, () => this.writer === -1);
  }
  took_read(): void {
    this.k.mem.add(this.kReaders, 1);
  }
  down_read_trylock(): boolean {
    const ok = this.writer === -1;
    this.k.mem.add(this.kReaders, ok ? 1 : 0);
    if (ok) this.k.lockdep.acquired(this.cls, this.lockName, 'down_read_trylock');
    return ok;
  }
  up_read(): void {
    if (this.readers <= 0) throw new SimMisuse(`up_read of ${this.owner.name} rwsem without a reader`);
    this.k.lockdep.released(this.lockName);
    this.k.mem.add(this.kReaders, -1);
  }
  down_write(label: string): AwaitRequest {
    this.k.lockdep.check(this.cls, this.lockName, label);
    this.k.lockdep.acquired(this.cls, this.lockName, label);
    return until(label, () => this.writer === -1 && this.readers === 0);
  }
  took_write(): void {
    this.k.mem.write(this.kWriter, this.k.current);
  }
  up_write(): void {
    if (this.writer !== this.k.current)
      throw new SimMisuse(`up_write of ${this.owner.name} rwsem not held by this thread`);
    this.k.lockdep.released(this.lockName);
    this.k.mem.write(this.kWriter, -1);
  }
  rwsem_is_locked(): boolean {
    return this.writer !== -1 || this.readers > 0;
  }
}
