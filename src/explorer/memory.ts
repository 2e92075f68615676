import { ExplorerError } from './errors.ts';
import { grown } from './typed.ts';

/**
 * The explorer's shared memory: every value a thread may race on lives here, under a key
 * `object.field`. Threads never touch a value directly; they go through {@link Memory.read},
 * {@link Memory.write} and {@link Memory.add}, which log the key into the footprint of the step
 * being executed. Dependence between steps is computed from those footprints, never declared.
 *
 * Keys are interned once per exploration (by name, so the same object gets the same key in every
 * execution) and values are reset at the start of each execution by re-running the model's setup,
 * or, for a model built once (Model.buildOnce), by restoring the first execution's initial state
 * ({@link Memory.restoreInitial}).
 */

/** The shared empty footprint part (never pushed to: replaced by a fresh array on first use). */
const NONE: number[] = [];

/** The real clock, taken before the determinism guard stubs performance.now out. */
const now = globalThis.performance.now.bind(globalThis.performance);

/** Budgets are checked every this many memory accesses of a step (the clock is read no more often). */
const CHECK_EVERY = 4096;

/**
 * Default budgets of one step. A legitimate step makes a few dozen accesses (a simulator step,
 * a few hundred) and runs in microseconds; a spinning one reaches 10^7 accesses in about 0.1 s.
 */
export const STEP_ACCESSES_DEFAULT = 10_000_000;
export const STEP_TIME_MS_DEFAULT = 1000;

/** Budgets of one step: see ExploreOptions. */
export interface StepBudget {
  maxStepAccesses: number;
  stepTimeMs: number;
  /** When `timeMs` runs out (a `now()` time), or Infinity. */
  deadline: number;
  /** The exploration's `timeMs`, for the message. */
  timeMs?: number;
}

/** Recording modes. */
const OFF = 0; // setup, invariant checks, enabledness checks: reads are not part of any step
const STEP = 1; // inside a step: reads/writes are logged into its footprint
const OUTSIDE = 2; // thread code that runs outside any step (before its first yield)
const READONLY = 3; // predicates (invariants, awaits polled by the scheduler): writes are misuse
const REPLAY = 4; // re-running a step whose footprint is already known: nothing is recorded

export type Mode = typeof OFF | typeof STEP | typeof OUTSIDE | typeof READONLY | typeof REPLAY;
export const Mode = { OFF, STEP, OUTSIDE, READONLY, REPLAY } as const;

/**
 * The scope of a predicate being evaluated (Runner.evaluate): bit o of `mask` is set for each
 * object id o it is scoped to (`{ on: [...] }`), for {@link Memory.read} to refuse a key of any
 * other object. A bitset: a scenario has hundreds of predicates over hundreds of objects.
 */
export interface PredScope {
  readonly name: string;
  readonly mask: Uint32Array;
  readonly objects: readonly number[];
}

export function scopeMask(objects: readonly number[], nObjects: number): Uint32Array {
  const mask = new Uint32Array((nObjects + 31) >>> 5);
  for (const o of objects) mask[o >>> 5] |= 1 << (o & 31);
  return mask;
}

/** Is object o in scope s? (An object made after the scope, beyond its mask, is not.) */
function inScope(s: PredScope, o: number): boolean {
  return o >>> 5 < s.mask.length && ((s.mask[o >>> 5] >>> (o & 31)) & 1) === 1;
}

/** A step's footprint: the keys it read, wrote, and updated commutatively. */
export interface Footprint {
  reads: number[];
  writes: number[];
  adds: number[];
}

export class Memory {
  // Interning (stable across the executions of one exploration).
  readonly keyIds = new Map<string, number>();
  readonly keyNames: string[] = [];
  /** Object id of each key; invariants are scoped by object. */
  readonly keyObject: number[] = [];
  readonly objectIds = new Map<string, number>();
  readonly objectNames: string[] = [];
  /** Keys that are mutexes (their value is the holder's thread index, -1 when free). */
  readonly mutexKeys = new Set<number>();

  /** Current values, by key id. */
  vals: unknown[] = [];
  /** Which keys exist in the current execution (a key may be created mid-execution). */
  live: Uint8Array = new Uint8Array(64);

  mode: Mode = OFF;
  /**
   * Set only while a scoped predicate is evaluated. A scoped predicate is re-checked only after
   * steps that change its objects, and only those steps are ordered against each other on its
   * account: a key of another object it read could change unseen, and the violation be missed.
   */
  scope: PredScope | null = null;
  /**
   * The thread running the current step (-1 outside steps) and the mutexes it took / gave up
   * inside it: the model builder's `current`, `took`, `released`, kept here so every builder
   * of the exploration shares them.
   */
  current = -1;
  took = -1;
  released = -1;
  /** True while the model's setup runs: the only time `set` may change a value outside a step. */
  private setupRunning = false;
  /**
   * Setup is deterministic, so it asks for the same keys in the same order in every execution:
   * the i-th `key()` call of setup is checked against the i-th of the last run (two string
   * compares) before falling back to the maps.
   */
  private setupCursor = 0;
  private setupObj: string[] = [];
  private setupField: string[] = [];
  private setupId: number[] = [];
  get inSetup(): boolean {
    return this.setupRunning;
  }
  set inSetup(on: boolean) {
    this.setupRunning = on;
    this.setupCursor = 0;
    this.setupObjCursor = 0;
    if (on) this.setupKeys.length = 0;
  }
  /** Keys created by the current setup, in order (keys never die, so these are its live keys). */
  private setupKeys: number[] = [];
  /** The first execution's initial state: its keys, values, and objects' JSON (compared as data). */
  private initKeys: number[] | null = null;
  private initVals: unknown[] = [];
  private initJson: (string | null)[] = [];
  private stamp = 1;
  private rStamp = new Int32Array(64);
  private wStamp = new Int32Array(64);
  private aStamp = new Int32Array(64);
  reads: number[] = [];
  writes: number[] = [];
  adds: number[] = [];

  /** Trace mode: old values of the keys written in the current step (for world diffs). */
  tracing = false;
  diff: Map<number, unknown> | null = null;

  /**
   * A step that loops without yielding never gives control back to the scheduler, so the
   * accessors count: every `every` accesses of a step, `tick()` checks the step's budgets and the
   * exploration's deadline. A step that makes fewer accesses never reads the clock.
   */
  readonly budget: StepBudget = {
    maxStepAccesses: STEP_ACCESSES_DEFAULT,
    stepTimeMs: STEP_TIME_MS_DEFAULT,
    deadline: Number.POSITIVE_INFINITY,
  };
  private every = CHECK_EVERY;
  private fuel = CHECK_EVERY;
  private ticks = 0;
  private stepClock = 0;
  /** Set once a budget is exceeded: every later access throws again, even if model code catches. */
  private overrun: string | null = null;

  /** Set the step budgets (before exploring). */
  setBudget(b: StepBudget): void {
    Object.assign(this.budget, b);
    this.every = Math.max(1, Math.min(CHECK_EVERY, b.maxStepAccesses));
    this.fuel = this.every;
  }

  /** Called when code misuses memory; set by the execution so errors name the thread. */
  onMisuse: (message: string) => never = (m) => {
    throw new ExplorerError(m);
  };

  private setupObjCursor = 0;
  private setupObjName: string[] = [];
  private setupObjId: number[] = [];

  object(name: string): number {
    if (this.setupRunning) {
      // As for keys: setup asks for the same objects in the same order every execution.
      const i = this.setupObjCursor++;
      if (i < this.setupObjId.length && this.setupObjName[i] === name) return this.setupObjId[i];
      const id = this.objectId(name);
      // (a first setup only appends: truncating an array to its own length is not free)
      if (this.setupObjId.length !== i) this.setupObjName.length = this.setupObjId.length = i;
      this.setupObjName.push(name);
      this.setupObjId.push(id);
      return id;
    }
    return this.objectId(name);
  }

  private objectId(name: string): number {
    let id = this.objectIds.get(name);
    if (id === undefined) {
      id = this.objectNames.length;
      this.objectIds.set(name, id);
      this.objectNames.push(name);
    }
    return id;
  }

  private arrays = new Map<string, number[]>();
  /** The keys `name[0..n)` of an array (cached: setup runs once per execution). */
  arrayKeys(name: string, n: number): number[] {
    let ks = this.arrays.get(name);
    if (ks === undefined || ks.length !== n) {
      ks = Array.from({ length: n }, (_, i) => this.key(name, `[${i}]`));
      this.arrays.set(name, ks);
    }
    return ks;
  }

  /** Intern `object.field` and return its key id. */
  key(object: string, field: string): number {
    if (this.setupRunning) {
      const i = this.setupCursor++;
      if (i < this.setupId.length && this.setupObj[i] === object && this.setupField[i] === field)
        return this.setupId[i];
      const id = this.lookup(object, field);
      if (this.setupId.length !== i) this.setupObj.length = this.setupField.length = this.setupId.length = i;
      this.setupObj.push(object);
      this.setupField.push(field);
      this.setupId.push(id);
      return id;
    }
    return this.lookup(object, field);
  }

  private lookup(object: string, field: string): number {
    const name = field === '' ? object : `${object}.${field}`;
    let id = this.keyIds.get(name);
    if (id === undefined) {
      id = this.keyNames.length;
      this.keyIds.set(name, id);
      this.keyNames.push(name);
      this.keyObject.push(this.objectId(object));
      if (id >= this.rStamp.length) this.grow(id + 1);
    }
    return id;
  }

  private grow(n: number): void {
    const size = Math.max(n, this.rStamp.length * 2);
    this.rStamp = grown(this.rStamp, size);
    this.wStamp = grown(this.wStamp, size);
    this.aStamp = grown(this.aStamp, size);
    this.live = grown(this.live, size);
  }

  /** Start a fresh execution: every key is dead until setup (or a step) initialises it. */
  reset(): void {
    // Values of dead keys are never read (`live` guards them), so the array is reused.
    this.live.fill(0);
    this.mode = OFF;
    this.fuel = this.every;
    this.ticks = 0;
  }

  /** Create (or re-create) a key's value without recording: setup, or allocation inside a step. */
  init(k: number, value: unknown): void {
    if (--this.fuel === 0) this.tick();
    if (this.mode === READONLY) this.onMisuse(`a predicate initialised '${this.keyNames[k]}'`);
    if (this.mode === OUTSIDE) this.onMisuse(`shared memory touched outside a step: '${this.keyNames[k]}'`);
    if (this.mode === STEP) this.logWrite(k);
    if (this.mode === OFF && this.live[k] === 1) this.onMisuse(`'${this.keyNames[k]}' created twice`);
    if (this.setupRunning) this.setupKeys.push(k);
    this.live[k] = 1;
    this.vals[k] = freeze(value);
  }

  /**
   * Setup must build the same initial state in every execution, or the executions explore
   * different programs and a counterexample does not replay. After setup: null if the state equals
   * the first execution's (which this call records), else the first key that differs, described.
   */
  initialStateDiffers(): string | null {
    const ks = this.setupKeys;
    if (this.initKeys === null) {
      this.initKeys = ks.slice();
      this.initVals = ks.map((k) => this.vals[k]);
      this.initJson = this.initVals.map((v) =>
        typeof v === 'object' && v !== null ? JSON.stringify(v) : null,
      );
      return null;
    }
    const first = this.initKeys;
    const name = (k: number) => `'${this.keyNames[k]}'`;
    for (let i = 0; i < Math.max(ks.length, first.length); i++) {
      const k = ks[i];
      if (k !== first[i]) {
        if (k === undefined) return `${name(first[i])} (not created this time)`;
        if (first[i] === undefined) return `${name(k)} (created only this time)`;
        return `${name(k)} (created where the first execution created ${name(first[i])})`;
      }
      const v = this.vals[k];
      const was = this.initVals[i];
      if (Object.is(v, was) || v === was) continue;
      const json = this.initJson[i];
      if (json !== null && typeof v === 'object' && v !== null && JSON.stringify(v) === json) continue;
      return `${name(k)} (${show(was)} then, ${show(v)} now)`;
    }
    return null;
  }

  /**
   * Start a later execution of a model built once (Model.buildOnce): the first execution's initial
   * state again — its keys alive, with their values — instead of re-running setup.
   */
  restoreInitial(): void {
    const ks = this.initKeys;
    if (ks === null) this.onMisuse('restoreInitial() before a first setup recorded the initial state');
    this.reset();
    const vals = this.initVals;
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      this.live[k] = 1;
      this.vals[k] = vals[i];
    }
  }

  /** Re-run a step already explored: same effects, nothing recorded. */
  beginReplay(): void {
    this.mode = REPLAY;
    this.fuel = this.every;
    this.ticks = 0;
  }

  /** Does key k exist in this execution (created by setup or a step, not yet dead)? */
  isLive(k: number): boolean {
    if (--this.fuel === 0) this.tick();
    // Whether a key exists is read like its value: a step that asks depends on the one creating it.
    if (this.mode === STEP && this.rStamp[k] !== this.stamp) {
      this.rStamp[k] = this.stamp;
      if (this.reads === NONE) this.reads = [k];
      else this.reads.push(k);
    } else if (this.mode === READONLY && this.scope !== null && !inScope(this.scope, this.keyObject[k])) {
      this.outOfScope(k);
    }
    return this.live[k] === 1;
  }

  /**
   * Change a key's value during setup (building the initial state step by step, e.g. raising a
   * refcount as mappings are added). Not a step: nothing is recorded.
   */
  set(k: number, value: unknown): void {
    if (!this.inSetup)
      this.onMisuse(`set('${this.keyNames[k]}') outside setup: threads change memory in steps`);
    if (this.live[k] === 0) this.onMisuse(`set('${this.keyNames[k]}'), which does not exist (yet)`);
    this.vals[k] = freeze(value);
  }

  /** A value without recording it, for setup code that builds on earlier setup (not for threads). */
  peekValue(k: number): unknown {
    if (this.mode === READONLY && this.scope !== null && !inScope(this.scope, this.keyObject[k]))
      this.outOfScope(k);
    if (this.live[k] === 0) this.onMisuse(`'${this.keyNames[k]}' does not exist (yet)`);
    return this.vals[k];
  }

  beginStep(): void {
    this.mode = STEP;
    this.stamp++;
    this.fuel = this.every;
    this.ticks = 0;
    // Most steps touch one or two keys and add nothing: arrays are made on first use.
    this.reads = NONE;
    this.writes = NONE;
    this.adds = NONE;
    if (this.tracing) this.diff = new Map();
  }

  endStep(): Footprint {
    this.mode = OFF;
    return { reads: this.reads, writes: this.writes, adds: this.adds };
  }

  read(k: number): unknown {
    if (--this.fuel === 0) this.tick();
    const m = this.mode;
    if (m === STEP) {
      if (this.rStamp[k] !== this.stamp) {
        this.rStamp[k] = this.stamp;
        if (this.reads === NONE) this.reads = [k];
        else this.reads.push(k);
      }
    } else if (m === OUTSIDE) {
      this.onMisuse(`shared memory read outside a step: '${this.keyNames[k]}' (put a yield before it)`);
    } else if (m === READONLY && this.scope !== null && !inScope(this.scope, this.keyObject[k])) {
      this.outOfScope(k);
    }
    if (this.live[k] === 0) this.onMisuse(`read of '${this.keyNames[k]}', which does not exist (yet)`);
    return this.vals[k];
  }

  write(k: number, value: unknown): void {
    if (--this.fuel === 0) this.tick();
    const m = this.mode;
    if (m !== STEP && m !== REPLAY) this.misuseWrite(k);
    if (this.live[k] === 0) this.onMisuse(`write to '${this.keyNames[k]}', which does not exist (yet)`);
    if (m === STEP) this.logWrite(k);
    this.vals[k] = freeze(value);
  }

  /** A commutative update (counter += delta): commutes with other adds, conflicts with reads and writes. */
  add(k: number, delta: number): void {
    if (--this.fuel === 0) this.tick();
    const m = this.mode;
    if (m !== STEP && m !== REPLAY) this.misuseWrite(k);
    if (this.live[k] === 0) this.onMisuse(`add to '${this.keyNames[k]}', which does not exist (yet)`);
    if (m === STEP && this.aStamp[k] !== this.stamp) {
      this.aStamp[k] = this.stamp;
      if (this.adds === NONE) this.adds = [k];
      else this.adds.push(k);
      if (this.diff !== null && !this.diff.has(k)) this.diff.set(k, this.vals[k]);
    }
    this.vals[k] = (this.vals[k] as number) + delta;
  }

  /** Every `every` accesses of one step: check its budgets and the exploration's deadline. */
  private tick(): void {
    if (this.overrun !== null) {
      this.fuel = 1;
      this.onMisuse(this.overrun);
    }
    this.fuel = this.every;
    const t = now();
    // The step's clock starts at its first check: steps too short to get here never read it.
    if (this.ticks++ === 0) this.stepClock = t;
    const b = this.budget;
    const ms = Math.round(t - this.stepClock);
    const why =
      'a loop inside one step never lets another thread run: wait with yield until(label, pred), or yield inside the loop';
    const who = this.setupRunning ? 'setup' : 'the step';
    if (this.ticks * this.every >= b.maxStepAccesses)
      this.overrun = `${who} made over ${b.maxStepAccesses} memory accesses without yielding: ${why}; if the step really is this long, raise maxStepAccesses (default ${STEP_ACCESSES_DEFAULT})`;
    else if (t - this.stepClock >= b.stepTimeMs)
      this.overrun = `${who} ran ${ms} ms without yielding (stepTimeMs = ${b.stepTimeMs}): ${why}; if the step really is this long, raise stepTimeMs (default ${STEP_TIME_MS_DEFAULT})`;
    else if (t >= b.deadline)
      this.overrun = `the time budget timeMs = ${b.timeMs} ran out inside one step, after ${this.ticks * this.every} memory accesses without yielding: ${why}; if the step really is this long, raise timeMs`;
    else return;
    this.fuel = 1;
    this.onMisuse(this.overrun);
  }

  private logWrite(k: number): void {
    if (this.wStamp[k] !== this.stamp) {
      this.wStamp[k] = this.stamp;
      if (this.writes === NONE) this.writes = [k];
      else this.writes.push(k);
      if (this.diff !== null && !this.diff.has(k)) this.diff.set(k, this.vals[k]);
    }
  }

  private outOfScope(k: number): never {
    const s = this.scope as PredScope;
    const on = s.objects.map((o) => this.objectNames[o]).join(', ');
    const obj = this.objectNames[this.keyObject[k]];
    return this.onMisuse(
      `check '${s.name}' reads '${this.keyNames[k]}' outside its scope (on: ${on}): add its object '${obj}' to 'on'`,
    );
  }

  private misuseWrite(k: number): never {
    const name = this.keyNames[k];
    if (this.mode === READONLY) return this.onMisuse(`a predicate wrote '${name}': predicates must be pure`);
    if (this.mode === OUTSIDE)
      return this.onMisuse(`shared memory written outside a step: '${name}' (put a yield before it)`);
    return this.onMisuse(`'${name}' written outside a step: only threads change memory, inside steps`);
  }

  /** Run `fn` with reads unrecorded and writes forbidden (invariants, await predicates). */
  peek<T>(fn: () => T): T {
    const saved = this.mode;
    this.mode = READONLY;
    try {
      return fn();
    } finally {
      this.mode = saved;
    }
  }

  /**
   * A hash of the state: the XOR of one term per live key, FNV-1a of the key and its value. Only a
   * summary: final states are told apart by {@link Memory.snapshot} and {@link Memory.equals}, as
   * 32-bit hashes collide. A key still holding the very value the initial state gave it adds the
   * term computed once, so an execution's hash costs a value hash only for what its steps wrote.
   */
  hash(): number {
    const n = this.keyNames.length;
    const initOf = this.initOf;
    if (initOf.length < n) this.indexInitial(n);
    const term = this.initTerm;
    let h = 0;
    for (let k = 0; k < n; k++) {
      if (this.live[k] === 0) continue;
      const v = this.vals[k];
      h ^= v === initOf[k] ? term[k] : keyTerm(k, v);
    }
    return h >>> 0;
  }

  /** Per key: its initial value (NOT_INITIAL for keys steps create) and that value's hash term. */
  private initOf: unknown[] = [];
  private initTerm = new Int32Array(0);
  private indexInitial(n: number): void {
    const initOf = this.initOf;
    const from = initOf.length;
    while (initOf.length < n) initOf.push(NOT_INITIAL);
    const term = new Int32Array(n);
    term.set(this.initTerm.subarray(0, from));
    const ks = this.initKeys ?? [];
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      if (k < from) continue;
      initOf[k] = this.initVals[i];
      term[k] = keyTerm(k, this.initVals[i]);
    }
    this.initTerm = term;
  }

  /** The current state as data: key, value, key, value… of every live key, in key order. */
  snapshot(): unknown[] {
    const out: unknown[] = [];
    const n = this.keyNames.length;
    for (let k = 0; k < n; k++) if (this.live[k] === 1) out.push(k, this.vals[k]);
    return out;
  }

  /** Is the current state exactly a snapshot's (values compared as data, like the hash does)? */
  equals(snap: readonly unknown[]): boolean {
    let j = 0;
    const n = this.keyNames.length;
    for (let k = 0; k < n; k++) {
      if (this.live[k] === 0) continue;
      if (snap[j] !== k || !sameValue(this.vals[k], snap[j + 1])) return false;
      j += 2;
    }
    return j === snap.length;
  }
}

/**
 * Shared values compared as data: primitives by value, arrays element by element, objects by
 * their defined fields in any order (as the hash combines them). Walked, not stringified: final
 * states are compared once an execution.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    n++;
    if (!sameValue(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

const NOT_INITIAL = Symbol('not in the initial state');

function keyTerm(k: number, v: unknown): number {
  return hashValue(fnv(0x811c9dc5, k), v) | 0;
}

function fnv(h: number, x: number): number {
  h ^= x & 0xff;
  h = Math.imul(h, 0x01000193);
  h ^= (x >>> 8) & 0xff;
  h = Math.imul(h, 0x01000193);
  h ^= (x >>> 16) & 0xffff;
  return Math.imul(h, 0x01000193);
}

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

function hashValue(h: number, v: unknown): number {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) ? fnv(fnv(h, 1), v as number) : hashString(fnv(h, 2), String(v));
    case 'boolean':
      return fnv(h, v ? 3 : 4);
    case 'string':
      return hashString(fnv(h, 5), v as string);
    case 'undefined':
      return fnv(h, 6);
    default: {
      if (v === null) return fnv(h, 7);
      if (Array.isArray(v)) {
        let a = fnv(h, 9);
        for (let i = 0; i < v.length; i++) a = hashValue(a, v[i]);
        return fnv(a, v.length);
      }
      // An object's defined fields, combined in any order (sameValue compares them so).
      let fields = 0;
      const o = v as Record<string, unknown>;
      for (const k in o)
        if (o[k] !== undefined) fields = (fields + hashValue(hashString(0x811c9dc5, k), o[k])) | 0;
      return fnv(fnv(h, 8), fields);
    }
  }
}

function show(v: unknown): string {
  const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Shared values are immutable: an in-place change would bypass the footprint. */
function freeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) Object.freeze(v);
  return v;
}
