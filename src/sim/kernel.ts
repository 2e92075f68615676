import { bug, ExplorerError, type Memory, type ModelBuilder } from '../explorer/index.ts';
import { KMutex, type LockClass, Lockdep } from './lockdep.ts';
import type { Folio } from './objects/folio.ts';
import type { RcuReader } from './objects/rcu.ts';
import type { SiteId } from './sites.ts';
import { type Era, type Mutation, type Variant, variantOf } from './variants.ts';

/**
 * The simulated kernel of one execution: every kernel object of a scenario, addressed by name
 * (`folio#1`, `pt#A`, `anon_vma#1`), with all of its state in the explorer's {@link Memory}, one
 * key per field (`folio#1.refcount`), so footprints stay fine-grained and invariants can be
 * scoped per object. A scenario builds it once per exploration (objects, keys, invariant
 * closures, threads); each execution restores the initial memory and calls
 * {@link Kernel.resetExecution} for the little state kept outside memory (task allocation
 * counters, lockdep's held-lock stacks). Ops keep their state in memory, never in the handles.
 *
 * Ops (src/sim/ops) receive a {@link Task}: the thread they run on, with its kernel.
 */

/** Misuse of the simulator: an op on a non-existent object, unlocking a folio not held. */
export class SimMisuse extends ExplorerError {
  constructor(message: string) {
    super(message);
    this.name = 'SimMisuse';
  }
}

/** Something with a name in memory: the base of every kernel object handle. */
export class KObject {
  readonly mem: Memory;
  constructor(
    readonly k: Kernel,
    readonly name: string,
  ) {
    this.mem = k.mem;
  }
  protected key(field: string): number {
    return this.mem.key(this.name, field);
  }
  protected r<T>(key: number): T {
    return this.mem.read(key) as T;
  }
  protected w(key: number, v: unknown): void {
    this.mem.write(key, v);
  }
  /** A mutex whose key lives in this object (so invariants scoped to it see lock changes). */
  protected mutex(field: string, cls: LockClass): KMutex {
    const key = this.key(field);
    return new KMutex(this.k.m, key, `${this.name}.${field}`, cls, this.k.lockdep);
  }
  toString(): string {
    return this.name;
  }
  /**
   * A field that is an object of its own, under the same key name (`folio#1.lock`): a check
   * scoped to this object does not see it change, one that reads it is scoped to
   * `${name}.${field}` too (so steps changing only fields a check never reads are not ordered
   * against each other on its account).
   */
  protected fieldKey(field: string): number {
    return this.mem.key(`${this.name}.${field}`, '');
  }
  /** The objects of fields made with fieldKey (`folio#1.lru`), for scoping checks. */
  fields(...names: string[]): string[] {
    return names.map((f) => `${this.name}.${f}`);
  }
  /** A mutex that is a field object of its own (see fieldKey). */
  protected fieldMutex(field: string, cls: LockClass): KMutex {
    return new KMutex(this.k.m, this.fieldKey(field), `${this.name}.${field}`, cls, this.k.lockdep);
  }
}

/** A kernel object that can be created (init) either in setup or, for allocation, inside a step. */
export interface Registered {
  readonly name: string;
}

export class Kernel {
  readonly mem: Memory;
  readonly variant: Variant;
  private readonly objects = new Map<string, Registered>();
  /** Thread index → task, filled by the scenario builder. */
  readonly tasks: Task[] = [];
  /** I18: the locks each thread holds, checked against the kernel's lock order. */
  readonly lockdep: Lockdep;
  /**
   * Whether guard assertions are checked (default true): the protocol checks (I9 first mapping
   * without the folio lock, I15 PTE write without the PTL, I18 lock order, the state invariants
   * that restate a rule). Off, a scenario checks only harms (see invariants/names.ts HARMS).
   */
  readonly guards: boolean;
  /**
   * Large-folio mapcounts (ScenarioOptions.mapcount): CONFIG_PAGE_MAPCOUNT keeps the per-page
   * _mapcount and _nr_pages_mapped (default); CONFIG_NO_PAGE_MAPCOUNT (v6.15+, era 'today')
   * keeps only _large_mapcount (and the MM-owner slots).
   */
  readonly pageMapcount: boolean;
  /** CONFIG_MM_ID (selected by THP since v6.15): large folios track their MM owners (era 'today'). */
  readonly mmId: boolean;
  /** The synchronisation site this scenario elides (ScenarioOptions.elide; sites.ts), or null. */
  readonly elide: SiteId | null;
  /**
   * rmap's NR_*_MAPPED update is a step of its own after the mapcount transition (set when the
   * threads are registered; see __folio_mod_stat): always in the kernel, but only a charge mover
   * can see between the two, and before v6.3 lock_page_memcg() kept it from doing so.
   */
  statsOwnStep = false;

  constructor(
    readonly m: ModelBuilder,
    opts: {
      era?: Era;
      mutate?: Mutation | readonly Mutation[];
      guards?: boolean;
      mapcount?: 'per-page' | 'no-page-mapcount';
      elide?: SiteId;
    } = {},
  ) {
    this.mem = m.mem;
    this.elide = opts.elide ?? null;
    this.variant = variantOf(opts);
    this.guards = opts.guards ?? true;
    this.lockdep = new Lockdep(m, this.guards);
    this.mmId = this.variant.era === 'today';
    const mapcount = opts.mapcount ?? 'per-page';
    if (mapcount !== 'per-page' && mapcount !== 'no-page-mapcount')
      throw new SimMisuse(`unknown mapcount config '${mapcount}' ('per-page' or 'no-page-mapcount')`);
    this.pageMapcount = mapcount === 'per-page';
    if (!this.pageMapcount && !this.mmId)
      throw new SimMisuse(
        `mapcount 'no-page-mapcount' (CONFIG_NO_PAGE_MAPCOUNT, v6.15+) does not exist in era '${this.variant.era}'`,
      );
  }

  register<T extends Registered>(o: T): T {
    if (this.objects.has(o.name)) throw new SimMisuse(`two kernel objects are named '${o.name}'`);
    this.objects.set(o.name, o);
    this.byClass.clear();
    return o;
  }

  /** Look an object up by name; an unknown name is misuse (kernel: a wild pointer). */
  lookup<T extends Registered>(name: string, what: string): T {
    const o = this.objects.get(name);
    if (o === undefined) throw new SimMisuse(`${what} '${name}' does not exist in this scenario`);
    return o as T;
  }

  has(name: string): boolean {
    return this.objects.has(name);
  }

  /** The object called `name`, or undefined: one lookup where `has` then `lookup` take two. */
  find<T extends Registered>(name: string): T | undefined {
    return this.objects.get(name) as T | undefined;
  }

  all<T extends Registered>(ctor: abstract new (...args: never[]) => T): T[] {
    let all = this.byClass.get(ctor);
    if (all === undefined) {
      all = [];
      for (const o of this.objects.values()) if (o instanceof ctor) all.push(o);
      this.byClass.set(ctor, all);
    }
    return all.slice() as T[];
  }
  /** all()'s answers, until the next register() (ops ask at run time: rcu readers, swap slots). */
  private readonly byClass = new Map<abstract new (...args: never[]) => Registered, Registered[]>();

  mutated(m: Mutation): boolean {
    return this.variant.mutations.has(m);
  }

  /** A new execution of the scenario: reset what lives outside memory (tasks, lockdep). */
  resetExecution(): void {
    for (const t of this.tasks) t.reset();
    this.lockdep.reset();
  }

  /**
   * Setup only: give a key its initial value, creating it or overriding the default an object's
   * init() gave it (the explorer's init() refuses to create a key twice).
   */
  setup(key: number, value: unknown): void {
    if (this.m.current !== -1)
      throw new SimMisuse('Kernel.setup() called from a step: it is for scenario setup');
    if (this.mem.isLive(key)) this.mem.set(key, value);
    else this.mem.init(key, value);
  }

  /** Index of the thread running the current step (-1 outside steps). */
  get current(): number {
    return this.m.current;
  }
}

/** The thread an op runs on: its name, index and kernel; allocation names are per task. */
export class Task {
  private allocated = 0;
  /** This task's RCU read-side state (set by the scenario builder). */
  rcu!: RcuReader;
  /** Stat updates a mutated rmap left for the task's next step (memcg_lock_before_stats_only). */
  readonly pendingStats: Array<{ folio: Folio; delta: number }> = [];
  constructor(
    readonly k: Kernel,
    readonly name: string,
    readonly tid: number,
    /** Folios this task may allocate (names are reserved so invariants can be scoped to them). */
    readonly allocBudget: number,
  ) {}
  /** A new execution: nothing allocated, no stat update pending. */
  reset(): void {
    this.allocated = 0;
    this.pendingStats.length = 0;
  }
  /**
   * Deterministic name for the task's n-th allocation (same in every execution); a large folio
   * of `nr` pages takes the reserved `folio#<task>.<n>x<nr>` (reserved for every mTHP size some
   * process enables).
   */
  nextFolioName(nr = 1): string {
    this.allocated++;
    if (this.allocated > this.allocBudget)
      throw new SimMisuse(
        `task '${this.name}' allocates more than ${this.allocBudget} folios: raise allocBudget in k.thread()`,
      );
    return allocName(this.name, this.allocated, nr);
  }
  get variant(): Variant {
    return this.k.variant;
  }
  mutated(m: Mutation): boolean {
    return this.k.variant.mutations.has(m);
  }
}

export function allocName(task: string, n: number, nr = 1): string {
  return nr === 1 ? `folio#${task}.${n}` : `folio#${task}.${n}x${nr}`;
}

/**
 * A guard: a kernel-style protocol assertion (lockdep, a DEBUG_VM-only VM_BUG_ON/VM_WARN_ON, or
 * the model's restatement of a rule) — recorded only when the scenario checks guards. Harms
 * (use-after-free, lost data, a BUG_ON or "Bad page" the kernel prints in every config) use
 * `bug()` directly.
 */
export function guard(k: Kernel, assertion: string, message: string): void {
  if (k.guards) bug(assertion, message);
}

/** VM_BUG_ON / VM_WARN_ON: record a named violation (see invariants/names.ts for the names). */
export function VM_BUG_ON(cond: boolean, assertion: string, message: string): void {
  if (cond) bug(assertion, message);
}
