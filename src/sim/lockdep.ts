import { bug, type ModelBuilder, Mutex } from '../explorer/index.ts';
import { INV } from './invariants/names.ts';

/**
 * I18 lock order: a small lockdep. Every lock the simulator has belongs to a class with a rank
 * taken from the kernel's documented order, and each thread keeps the stack of locks it holds
 * (thread-local: it depends only on the thread's own steps, so the explorer's reduction stays
 * sound). A blocking acquisition of a lock whose class ranks *before* a lock already held is a
 * `bug(I18)` naming both orders; trylocks are exempt (they cannot deadlock), as in the catalog.
 *
 * Kernel: mm/rmap.c header comment "Lock ordering in mm:" @ AMDESE/linux-mm 448bccf6cf9e
 * (mainline after v6.18):
 *   mm->mmap_lock → mapping->invalidate_lock → folio_lock → … → mapping->i_mmap_rwsem →
 *   anon_vma->rwsem → mm->page_table_lock or pte_lock → swap_lock … → i_pages lock → lru_lock.
 * The memcg move_lock (folio_memcg_lock / lock_page_memcg, eras 2022 and before) was taken by
 * rmap inside the PTL, so it ranks after it (kernel-rules.md §2 I18; no op takes it today).
 * Model: mmap_lock, invalidate_lock, swap_lock and i_pages are not locks here, so they have no
 * rank; lru_lock is a lock only in folio_isolate_lru() of a memcg's folio (vmscan.ts). Two locks of one class nest only where the kernel annotates it
 * (spin_lock_nested in copy_pte_range: `lock_nested()`).
 */
export const LOCK_ORDER = [
  'folio_lock',
  'mapping->i_mmap_rwsem',
  'anon_vma->rwsem',
  'pte_lock',
  'memcg->move_lock',
  'lruvec->lru_lock',
] as const;
export type LockClass = (typeof LOCK_ORDER)[number];

interface Held {
  readonly cls: LockClass;
  readonly name: string;
  readonly label: string;
}

/** Per-thread held-lock stacks of one execution. */
export class Lockdep {
  private readonly held: Held[][] = [];
  constructor(
    private readonly m: ModelBuilder,
    /** Off when the scenario checks harms only (I18 is a guard: lockdep's report, not a harm). */
    private readonly enabled = true,
  ) {}

  /** A new execution: nothing is held (a scenario's kernel is built once per exploration). */
  reset(): void {
    this.held.length = 0;
  }

  private stack(): Held[] | null {
    const t = this.m.current;
    if (t < 0) return null; // setup: nothing is held
    while (this.held.length <= t) this.held.push([]);
    return this.held[t];
  }

  /** Check a blocking acquisition against the locks held (lockdep's check_prev_add). */
  check(cls: LockClass, name: string, label: string, nested = false): void {
    const held = this.stack();
    if (held === null || !this.enabled) return;
    const rank = LOCK_ORDER.indexOf(cls);
    for (const h of held) {
      const hr = LOCK_ORDER.indexOf(h.cls);
      if (hr > rank || (hr === rank && !nested))
        bug(
          INV.I18,
          `'${label}' takes ${cls} ${name} while holding ${h.cls} ${h.name} (taken at '${h.label}'): ` +
            `this thread's order is ${h.cls} → ${cls}, the kernel's (mm/rmap.c "Lock ordering in mm") is ` +
            (hr === rank ? `one ${cls} at a time unless annotated nested` : `${cls} → ${h.cls}`),
        );
    }
  }

  acquired(cls: LockClass, name: string, label: string): void {
    this.stack()?.push({ cls, name, label });
  }

  released(name: string): void {
    const held = this.stack();
    if (held === null) return;
    for (let i = held.length - 1; i >= 0; i--)
      if (held[i].name === name) {
        held.splice(i, 1);
        return;
      }
  }
}

/** A spinlock or sleeping mutex of the simulator (PTL, folio lock) that reports to lockdep. */
export class KMutex extends Mutex {
  constructor(
    b: ModelBuilder,
    key: number,
    name: string,
    readonly cls: LockClass,
    private readonly dep: Lockdep,
  ) {
    super(b, key, name);
  }
  override lock(label = `lock(${this.name})`) {
    this.dep.check(this.cls, this.name, label);
    this.dep.acquired(this.cls, this.name, label);
    return super.lock(label);
  }
  /** spin_lock_nested(): a second lock of the same class, annotated (copy_pte_range's src PTL). */
  lock_nested(label = `lock_nested(${this.name})`) {
    this.dep.check(this.cls, this.name, label, true);
    this.dep.acquired(this.cls, this.name, label);
    return super.lock(label);
  }
  override unlock(label = `unlock(${this.name})`) {
    this.dep.released(this.name);
    return super.unlock(label);
  }
  override tryLock(): boolean {
    const ok = super.tryLock();
    if (ok) this.dep.acquired(this.cls, this.name, 'trylock');
    return ok;
  }
  /** Inside a step: unlock a lock this thread took with tryLock() (folio_unlock of a trylocked folio). */
  override release(): void {
    this.dep.released(this.name);
    super.release();
  }
}
