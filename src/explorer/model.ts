import { ExplorerError } from './errors.ts';
import type { Memory } from './memory.ts';

/**
 * How a model is written.
 *
 * A model is a `setup` function, run afresh at the start of every execution, that creates shared
 * memory and threads (or, with `buildOnce`, run in the first execution only: later ones restore its
 * initial memory and reuse its threads and checks). A thread is a generator: each `yield` is a scheduling point that names the
 * step which follows it. The code between one yield and the next runs atomically.
 *
 * ```ts
 * const model = defineModel('lost update', (m) => {
 *   const x = m.cell('x', 0);
 *   for (const name of ['A', 'B'])
 *     m.thread(name, function* () {
 *       yield 'load';            // the step "load" is the code up to the next yield
 *       const v = x.load();
 *       yield 'store';
 *       x.store(v + 1);
 *     });
 *   m.final('both increments land', () => x.load() === 2);
 * });
 * ```
 */

/** What a thread yields: the request for its next step. A string is a plain step's label. */
export type Request = string | AcquireRequest | ReleaseRequest | AwaitRequest | ChooseRequest;

export interface AcquireRequest {
  readonly kind: 'acquire';
  readonly mutex: Mutex;
  readonly label: string;
}
export interface ReleaseRequest {
  readonly kind: 'release';
  readonly mutex: Mutex;
  readonly label: string;
}
/** Block until `pred` holds, then run the step. A wait that never comes true ends as a deadlock. */
export interface AwaitRequest {
  readonly kind: 'await';
  readonly label: string;
  readonly pred: () => boolean;
}
/** Data nondeterminism: the explorer tries every value in 0..n-1; `yield` returns the one chosen. */
export interface ChooseRequest {
  readonly kind: 'choose';
  readonly label: string;
  readonly n: number;
}

/** A thread body. `yield` returns the chosen value after a `choose`, undefined otherwise. */
export type ThreadBody = Generator<Request, void, number>;

export function until(label: string, pred: () => boolean): AwaitRequest {
  return { kind: 'await', label, pred };
}

export function choose(label: string, n: number): ChooseRequest {
  return { kind: 'choose', label, n };
}

/** Something a predicate can be scoped to: its object's keys are the predicate's footprint. */
export type Scope = Cell<unknown> | Arr<unknown> | Mutex | string;

export interface PredicateSpec {
  readonly name: string;
  readonly pred: () => boolean | string;
  /** Object ids the predicate reads, or null for "everything" (serialises every writing step). */
  readonly objects: number[] | null;
}

export interface ThreadSpec {
  readonly name: string;
  readonly body: () => ThreadBody;
}

export interface ModelOptions {
  /** A deadlock is a finding by default; some benchmarks (philosophers) expect one. */
  allowDeadlock?: boolean;
  /**
   * Every step's keys are fixed by its thread's state before the step: a value it reads never
   * changes what else it touches (no `if (x.load()) y.store()` inside one step; CAS and tryLock
   * always write, so they qualify). Only then does `strategy: 'optimal'` run Optimal DPOR (one
   * execution per trace): it moves racing steps with the footprints they had. Otherwise it runs
   * source-DPOR, which stays sound when a moved step touches other keys (dpor.ts `Dpor.for`).
   */
  fixedFootprints?: boolean;
}

/** Everything one run of `setup` produced. */
export interface Instance {
  readonly threads: ThreadSpec[];
  readonly always: PredicateSpec[];
  readonly sometimes: PredicateSpec[];
  readonly finals: PredicateSpec[];
  readonly options: ModelOptions;
  /** Called at the start of every later execution of a model built once (ModelBuilder.onRestore). */
  readonly onRestore: Array<() => void>;
}

export interface Model {
  readonly name: string;
  readonly setup: (m: ModelBuilder) => void;
  /**
   * Run `setup` in the first execution only (issue 12: per-scenario structure built once): every
   * later execution restores the memory that setup left and reuses its threads, checks and
   * objects, so nothing is rebuilt per execution. Only for models whose threads and checks keep
   * all their state in shared memory or in generator locals — a variable of setup's closure that
   * a thread changes would carry over from one execution to the next (reset such fields in
   * `onRestore`). The simulator's scenarios are built once; a model without the flag is safe
   * whatever its closures hold.
   */
  readonly buildOnce: boolean;
}

export function defineModel(
  name: string,
  setup: (m: ModelBuilder) => void,
  opts: { buildOnce?: boolean } = {},
): Model {
  if (typeof setup !== 'function') throw new ExplorerError(`model '${name}': setup must be a function`);
  return { name, setup, buildOnce: opts.buildOnce === true };
}

const THREAD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Handed to a model's setup. Creates shared memory, threads and checks. */
export class ModelBuilder {
  private readonly threads: ThreadSpec[] = [];
  private readonly alwaysList: PredicateSpec[] = [];
  private readonly sometimesList: PredicateSpec[] = [];
  private readonly finalList: PredicateSpec[] = [];
  private readonly opts: ModelOptions = {};
  private readonly restores: Array<() => void> = [];
  /**
   * Index of the thread currently running a step (-1 outside steps); set by the execution. Kept
   * in the memory, so objects made by an earlier execution's builder (a model that builds its
   * structure once) see the running execution's value.
   */
  get current(): number {
    return this.mem.current;
  }
  set current(t: number) {
    this.mem.current = t;
  }
  /** Mutexes taken / given up inside the current step (tryLock, release): set by Mutex. */
  get took(): number {
    return this.mem.took;
  }
  set took(k: number) {
    this.mem.took = k;
  }
  get released(): number {
    return this.mem.released;
  }
  set released(k: number) {
    this.mem.released = k;
  }

  constructor(readonly mem: Memory) {}

  /** A shared variable. */
  cell<T>(name: string, init: T): Cell<T> {
    const c = new Cell<T>(this.mem, this.mem.key(name, ''), name);
    this.mem.init(c.key, init);
    return c;
  }

  /** A shared array; element i is the key `name[i]`. */
  array<T>(name: string, length: number, init: T | ((i: number) => T)): Arr<T> {
    const keys = this.mem.arrayKeys(name, length);
    for (let i = 0; i < length; i++)
      this.mem.init(keys[i], typeof init === 'function' ? (init as (i: number) => T)(i) : init);
    return new Arr<T>(this.mem, keys, name);
  }

  /** A mutex: `yield m.lock()` blocks while another thread holds it. */
  mutex(name: string): Mutex {
    const mx = new Mutex(this, this.mem.key(name, ''), name);
    this.mem.mutexKeys.add(mx.key);
    this.mem.init(mx.key, -1);
    return mx;
  }

  thread(name: string, body: () => ThreadBody): void {
    if (!THREAD_NAME.test(name))
      throw new ExplorerError(
        `thread name '${name}' must match ${THREAD_NAME} (it appears in schedule strings)`,
      );
    if (this.threads.some((t) => t.name === name)) throw new ExplorerError(`two threads are named '${name}'`);
    if (typeof body !== 'function')
      throw new ExplorerError(`thread '${name}': body must be a generator function`);
    this.threads.push({ name, body });
  }

  /** Checked in the initial state and after every step that writes one of its objects. */
  always(name: string, pred: () => boolean | string, opts: { on?: Scope[] } = {}): void {
    this.alwaysList.push(this.spec(name, pred, opts.on));
  }

  /**
   * A witness: must hold in at least one reachable state, or the result says the scenario never
   * reached it. Use it to prove a racy window is actually entered, so "holds" is not vacuous.
   */
  sometimes(name: string, pred: () => boolean, opts: { on?: Scope[] } = {}): void {
    this.sometimesList.push(this.spec(name, pred, opts.on));
  }

  /** Checked when an execution completes (every thread returned). */
  final(name: string, pred: () => boolean | string): void {
    this.finalList.push(this.spec(name, pred, undefined));
  }

  options(o: ModelOptions): void {
    Object.assign(this.opts, o);
  }

  private spec(name: string, pred: () => boolean | string, on: Scope[] | undefined): PredicateSpec {
    if (typeof pred !== 'function') throw new ExplorerError(`check '${name}': predicate must be a function`);
    const objects = on === undefined ? null : on.map((s) => this.mem.object(scopeName(s)));
    return { name, pred, objects };
  }

  instance(): Instance {
    return {
      threads: this.threads,
      always: this.alwaysList,
      sometimes: this.sometimesList,
      finals: this.finalList,
      options: this.opts,
      onRestore: this.restores,
    };
  }

  /**
   * For a model built once (`defineModel(…, { buildOnce: true })`): `fn` runs at the start of
   * every later execution, after its initial memory is restored, to reset what setup's objects
   * keep outside shared memory.
   */
  onRestore(fn: () => void): void {
    this.restores.push(fn);
  }
}

function scopeName(s: Scope): string {
  return typeof s === 'string' ? s : s.name;
}

// ---------------------------------------------------------------------------------------------
// The generic shared-memory vocabulary: cells, arrays, mutexes. Enough to write any of the DPOR
// classics; the mm simulator builds its kernel objects on Memory directly.

export class Cell<T> {
  constructor(
    private readonly mem: Memory,
    readonly key: number,
    readonly name: string,
  ) {}
  load(): T {
    return this.mem.read(this.key) as T;
  }
  store(v: T): void {
    this.mem.write(this.key, v);
  }
  /** Commutative `+= delta` (atomic_add): commutes with other adds. */
  add(this: Cell<number>, delta: number): void {
    this.mem.add(this.key, delta);
  }
  /** Read-modify-write returning the old value (atomic_fetch_add): a read and a write. */
  fetchAdd(this: Cell<number>, delta: number): number {
    const old = this.mem.read(this.key) as number;
    this.mem.write(this.key, old + delta);
    return old;
  }
  /** Compare-and-swap. Counts as a write even when it fails, so its footprint never depends on data. */
  cas(expected: T, next: T): boolean {
    const cur = this.mem.read(this.key) as T;
    const ok = cur === expected;
    this.mem.write(this.key, ok ? next : cur);
    return ok;
  }
}

export class Arr<T> {
  constructor(
    private readonly mem: Memory,
    readonly keys: number[],
    readonly name: string,
  ) {}
  get length(): number {
    return this.keys.length;
  }
  load(i: number): T {
    return this.mem.read(this.at(i)) as T;
  }
  store(i: number, v: T): void {
    this.mem.write(this.at(i), v);
  }
  add(this: Arr<number>, i: number, delta: number): void {
    this.mem.add(this.at(i), delta);
  }
  cas(i: number, expected: T, next: T): boolean {
    const k = this.at(i);
    const cur = this.mem.read(k) as T;
    const ok = cur === expected;
    this.mem.write(k, ok ? next : cur);
    return ok;
  }
  private at(i: number): number {
    const k = this.keys[i];
    if (k === undefined)
      throw new ExplorerError(`index ${i} out of bounds of '${this.name}' (length ${this.length})`);
    return k;
  }
}

export class Mutex {
  constructor(
    private readonly b: ModelBuilder,
    readonly key: number,
    readonly name: string,
  ) {}
  /** `yield m.lock()`: enabled only while the mutex is free. */
  lock(label = `lock(${this.name})`): AcquireRequest {
    return { kind: 'acquire', mutex: this, label };
  }
  /** `yield m.unlock()`: releasing a mutex the thread does not hold is misuse. */
  unlock(label = `unlock(${this.name})`): ReleaseRequest {
    return { kind: 'release', mutex: this, label };
  }
  /** Inside a step: take the mutex if free (spin_trylock). Always a write, like a CAS. */
  tryLock(): boolean {
    const cur = this.b.mem.read(this.key) as number;
    const ok = cur === -1;
    this.b.mem.write(this.key, ok ? this.b.current : cur);
    if (ok) this.b.took = this.key;
    return ok;
  }
  /**
   * Inside a step: give up a mutex this thread holds (the unlock half of a step that does more,
   * e.g. folio_unlock() at the end of a path that took the lock with tryLock()).
   */
  release(): void {
    const cur = this.b.mem.read(this.key) as number;
    if (cur !== this.b.current)
      this.b.mem.onMisuse(
        `Mutex.release() of '${this.name}', which this thread does not hold (held by ${cur === -1 ? 'nobody' : `thread ${cur}`})`,
      );
    this.b.mem.write(this.key, -1);
    this.b.released = this.key;
  }
  /** Inside a step: the holder's thread index, or -1. */
  holder(): number {
    return this.b.mem.read(this.key) as number;
  }
}
