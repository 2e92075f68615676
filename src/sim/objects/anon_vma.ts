import { bug } from '../../explorer/index.ts';
import { INV } from '../invariants/names.ts';
import { type Kernel, KObject } from '../kernel.ts';
import { RwSem } from './locks.ts';
import type { Vma } from './vma.ts';

/**
 * struct anon_vma: the rmap anchor of anonymous folios, allocated from a SLAB_TYPESAFE_BY_RCU
 * cache. Fields: `refcount`, `rwsem` (the root's; every anon_vma here is its own root),
 * `state` — `live`, `freed` (back in the slab: refcount 0, may be reallocated as another
 * anon_vma), `reused` (reallocated: live again, with a new `generation`), `pagetable` (its slab
 * page went back to the page allocator and became a page table: only legal after a grace
 * period, R13) — and `generation` (bumped on reallocation, so a reader can tell it holds another
 * anon_vma than the one it read from folio->mapping).
 * The interval tree is the set of VMAs in `vmas` whose `linked` flag is set.
 * Model: anon_vma_fork()'s per-child anon_vma is not modelled: a child VMA is linked into the
 * parent's anon_vma, and the root is always the anon_vma itself.
 */
export type AnonVmaState = 'live' | 'freed' | 'reused' | 'pagetable';

export class AnonVma extends KObject {
  readonly kRef: number;
  readonly kState: number;
  readonly kGen: number;
  /** The RCU read sections (`rcu#task:gen`) open when it was freed: they may still use it as an anon_vma. */
  readonly kFreedUnder: number;
  readonly rwsem: RwSem;
  readonly vmas: Vma[] = [];
  constructor(k: Kernel, name: string) {
    super(k, name);
    // all but `state` (what I5 reads) are objects of their own (KObject.fieldKey)
    this.kRef = this.fieldKey('refcount');
    this.kState = this.key('state');
    this.kGen = this.fieldKey('generation');
    this.kFreedUnder = this.fieldKey('freed_under_rcu');
    this.rwsem = new RwSem(this, k, 'rwsem', 'anon_vma->rwsem');
  }
  init(refcount: number): void {
    this.mem.init(this.kRef, refcount);
    this.mem.init(this.kState, 'live');
    this.mem.init(this.kGen, 1);
    this.mem.init(this.kFreedUnder, Object.freeze([]));
    this.rwsem.init();
  }
  get refcount(): number {
    return this.r(this.kRef);
  }
  set refcount(v: number) {
    this.w(this.kRef, v);
  }
  get state(): AnonVmaState {
    return this.r(this.kState);
  }
  set state(v: AnonVmaState) {
    this.w(this.kState, v);
  }
  get generation(): number {
    return this.r(this.kGen);
  }
  set generation(v: number) {
    this.w(this.kGen, v);
  }
  isLive(): boolean {
    const s = this.state;
    return s === 'live' || s === 'reused';
  }
  /**
   * A use of this anon_vma that needs it to be the one the caller read from folio->mapping
   * (lock, tree walk): I4 fails if it was freed, or freed and reallocated. `rcu` is the read
   * section (`rcu#task:gen`) in which the caller read folio->mapping: if that section was
   * already open when the anon_vma was freed, SLAB_TYPESAFE_BY_RCU keeps the memory an anon_vma
   * (freed, its tree empty) until the section ends, so locking and walking it is harmless; a
   * reader that entered after the free has no such guarantee (R1: after the grace period the
   * slab page may be anything — "It looked like a page table").
   */
  assertSame(generation: number, what: string, rcu?: string): void {
    const s = this.state;
    if (s === 'freed' && rcu !== undefined && (this.r(this.kFreedUnder) as readonly string[]).includes(rcu))
      return;
    if (s === 'freed' || s === 'pagetable')
      bug(INV.I4, `${what}: ${this.name} is ${s === 'freed' ? 'freed' : 'now a page table'}`);
    if (this.generation !== generation)
      bug(
        INV.I4,
        `${what}: ${this.name} was freed and reallocated as another anon_vma (generation ${generation} → ${this.generation})`,
      );
  }
}
