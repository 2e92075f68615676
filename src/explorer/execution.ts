import { type ErrorSite, ExplorerError, Violation } from './errors.ts';
import { type Ev, keyMask, type StepKind } from './event.ts';
import { EventLog } from './log.ts';
import { Memory, Mode, type PredScope, scopeMask } from './memory.ts';
import { type Instance, type Model, ModelBuilder, type PredicateSpec, type Request } from './model.ts';
import { encodeSchedule, type Step } from './schedule.ts';

/**
 * One execution of a model: fresh memory, fresh threads, steps run one at a time as a strategy
 * picks them. Knows nothing of search; every strategy (DPOR, naive, random, replay) drives it.
 */

export const READY = 0;
export const DONE = 1;
/** Stopped by an await that ran while false (a failed assume). */
export const STOPPED = 2;

export interface ViolationRecord {
  /** The invariant, witness-free assertion or final check that failed. */
  readonly assertion: string;
  readonly message: string;
  /** 'always' | 'final' | 'assert' (thrown by a step) | 'deadlock'. */
  readonly kind: 'always' | 'final' | 'assert' | 'deadlock';
  /** Index of the step after which it was seen (-1: the initial state). */
  readonly step: number;
}

/**
 * How an execution ended. Violations do not end executions: a check that fails is recorded (once
 * per execution) and muted, a thread whose step hit `bug()` stops, and the rest run on, so every
 * other check is still checked in every interleaving.
 */
export type Outcome =
  | 'complete'
  | 'deadlock'
  | 'sleep-blocked'
  | 'await-blocked'
  | 'bound'
  /** A replayed schedule ended before the threads did. */
  | 'stopped';

interface Norm {
  kind: StepKind;
  label: string;
  mutex: number;
  mutexName: string;
  pred: (() => boolean) | null;
  n: number;
}

/** Shared by all executions of one exploration: interning, invariant footprints. */
export class Runner {
  readonly mem = new Memory();
  builder!: ModelBuilder;
  inst!: Instance;
  names: string[] = [];
  nThreads = 0;

  status: Uint8Array = new Uint8Array(0);
  private gens: Generator<Request, void, number>[] = [];
  private req: Norm[] = [];
  /** Virtual key per `always`/`sometimes` predicate: every step writing its objects writes it too. */
  private predKey: number[] = [];
  /** object id -> predicate indices scoped to it; global predicates listed separately. */
  private byObject = new Map<number, number[]>();
  private globalPreds: number[] = [];
  private preds: PredicateSpec[] = [];
  /** Per predicate: its scope, checked while it is evaluated (null: unscoped). */
  private scopes: (PredScope | null)[] = [];
  private nAlways = 0;

  /** Steps executed in the current execution. */
  steps = 0;
  /** Of those, steps of a prefix re-run without recording (`replay`). */
  replayedSteps = 0;
  /** Threads that have returned. */
  private nDone = 0;
  /**
   * The steps of this execution, recorded flat (a replayed prefix is kept from the execution that
   * first ran it): for searches, and for the schedule in error messages.
   */
  log = new EventLog();
  /** Violations seen in this execution, in order; each check at most once. */
  violations: ViolationRecord[] = [];
  /** Indices of `sometimes` predicates that held in this execution, with the step they held at. */
  witnessed: Array<[number, number]> = [];
  /** Names of keys, exposed for traces. */
  get keyNames(): string[] {
    return this.mem.keyNames;
  }
  /** Where we are, so misuse errors can say it: thread index, label, step (-1: outside a step). */
  private atThread = -1;
  private atLabel = '';
  private atStep = -1;
  private get site(): { thread?: string; label?: string; step?: number } {
    if (this.atThread < 0) return {};
    if (this.atStep < 0) return { thread: this.names[this.atThread] };
    return { thread: this.names[this.atThread], label: this.atLabel, step: this.atStep };
  }
  private at(t: number, label: string, step: number): void {
    this.atThread = t;
    this.atLabel = label;
    this.atStep = step;
  }
  /** The schedule of this execution up to the step running now (for error messages). */
  scheduleOf(): string {
    const log = this.log;
    const n = Math.min(this.steps, log.length);
    const steps: Step[] = [];
    for (let i = 0; i < n; i++) steps.push({ tid: log.tid[i], choice: log.choice[i], label: log.labelAt(i) });
    if (this.atStep >= n && this.atThread >= 0)
      steps.push({ tid: this.atThread, choice: this.atChoice, label: this.atLabel });
    return encodeSchedule(steps, this.names);
  }
  private atChoice = -1;

  constructor(readonly model: Model) {
    this.mem.onMisuse = (m) => {
      throw new ExplorerError(m, { ...this.site, schedule: this.scheduleOf() });
    };
  }

  /**
   * Start a new execution. `keep` steps of the log are kept: the prefix a DPOR search is about to
   * replay, recorded by the execution that first ran it.
   */
  start(keep = 0): void {
    const mem = this.mem;
    const again = this.inst !== undefined && this.model.buildOnce;
    if (again) {
      // Built once: the first execution's initial memory, threads and checks, nothing rebuilt.
      mem.restoreInitial();
      this.at(-1, '', -1);
      try {
        for (const f of this.inst.onRestore) f();
      } catch (e) {
        if (e instanceof ExplorerError) throw e;
        throw new ExplorerError(
          `model '${this.model.name}': onRestore threw: ${errText(e)}`,
          {},
          { cause: e },
        );
      }
    } else this.setup();
    this.steps = 0;
    this.replayedSteps = 0;
    this.nDone = 0;
    this.log.truncate(keep);
    this.violations = [];
    this.witnessed = [];
    const n = this.nThreads;
    if (this.status.length !== n) {
      this.status = new Uint8Array(n);
      this.gens = new Array(n);
      this.req = Array.from({ length: n }, () => ({
        kind: 'step' as StepKind,
        label: '',
        mutex: -1,
        mutexName: '',
        pred: null,
        n: 0,
      }));
    } else this.status.fill(READY);
    const threads = this.inst.threads;
    for (let t = 0; t < n; t++) {
      const spec = threads[t];
      if (spec.name !== this.names[t])
        throw new ExplorerError(
          `model '${this.model.name}': setup is not deterministic (thread ${t} renamed)`,
        );
      this.at(t, '', -1);
      mem.mode = Mode.OUTSIDE;
      let g: Generator<Request, void, number>;
      try {
        g = spec.body();
      } catch (e) {
        throw this.wrap(e, t);
      } finally {
        mem.mode = Mode.OFF;
      }
      if (g === null || typeof g !== 'object' || typeof (g as Generator).next !== 'function') {
        const what =
          g && typeof (g as object as { then?: unknown }).then === 'function' ? 'a Promise' : typeof g;
        throw new ExplorerError(
          `thread body must be a generator function (function*), got ${what}`,
          this.site,
        );
      }
      if (Symbol.asyncIterator in g)
        throw new ExplorerError('thread body is an async generator: threads must be synchronous', this.site);
      this.gens[t] = g;
      this.advance(t, undefined, Mode.OUTSIDE);
    }
    this.at(-1, '', -1);
    // The initial state must satisfy every invariant. A model built once starts every execution
    // in the same memory, so its initial checks give what they gave the first time.
    if (again) {
      this.violations.push(...this.initialViolations);
      this.witnessed.push(...this.initialWitnessed);
    } else {
      for (let i = 0; i < this.preds.length; i++) this.check(i, -1);
      this.initialViolations = this.violations.slice();
      this.initialWitnessed = this.witnessed.slice();
    }
  }

  private initialViolations: ViolationRecord[] = [];
  private initialWitnessed: Array<[number, number]> = [];

  /** Run the model's setup for a new execution and check it built what the first one did. */
  private setup(): void {
    const mem = this.mem;
    mem.reset();
    this.builder = new ModelBuilder(mem);
    this.at(-1, '', -1);
    mem.inSetup = true;
    try {
      this.model.setup(this.builder);
    } catch (e) {
      if (e instanceof ExplorerError) throw e;
      throw new ExplorerError(`model '${this.model.name}': setup threw: ${errText(e)}`, {}, { cause: e });
    } finally {
      mem.inSetup = false;
    }
    const differs = mem.initialStateDiffers();
    if (differs !== null)
      throw new ExplorerError(
        `model '${this.model.name}': setup is not deterministic: the initial state differs from the first execution's at ${differs}`,
      );
    const inst = this.builder.instance();
    const first = this.inst === undefined;
    if (first) this.prepare(inst);
    else if (
      inst.threads.length !== this.nThreads ||
      inst.always.length + inst.sometimes.length !== this.preds.length
    )
      throw new ExplorerError(
        `model '${this.model.name}': setup is not deterministic (thread or check count changed)`,
      );
    this.inst = inst;
    if (!first) this.preds = [...inst.always, ...inst.sometimes];
  }

  private prepare(inst: Instance): void {
    this.nThreads = inst.threads.length;
    if (this.nThreads === 0) throw new ExplorerError(`model '${this.model.name}' has no threads`);
    this.names = inst.threads.map((t) => t.name);
    this.preds = [...inst.always, ...inst.sometimes];
    this.nAlways = inst.always.length;
    this.predStamp = new Int32Array(this.preds.length);
    const seen = new Set<string>();
    this.preds.forEach((p, i) => {
      if (seen.has(p.name)) throw new ExplorerError(`two checks are named '${p.name}'`);
      seen.add(p.name);
      this.predKey[i] = this.mem.key('@check', p.name);
      this.scopes[i] = p.objects === null ? null : this.scopeOf(p.name, p.objects);
      if (p.objects === null) this.globalPreds.push(i);
      else
        for (const o of p.objects) {
          let l = this.byObject.get(o);
          if (!l) this.byObject.set(o, (l = []));
          l.push(i);
        }
    });
  }

  private scopeOf(name: string, objects: number[]): PredScope {
    return { name, mask: scopeMask(objects, this.mem.objectNames.length), objects };
  }

  /** Is thread t able to take its next step now? */
  enabled(t: number): boolean {
    if (this.status[t] !== READY) return false;
    const r = this.req[t];
    if (r.kind === 'acquire') return this.mem.vals[r.mutex] === -1;
    if (r.kind === 'await') return this.mem.peek(r.pred as () => boolean) === true;
    return true;
  }

  /** For a thread stopped by a failed await: does its condition hold now? */
  awaitHolds(t: number): boolean {
    const r = this.req[t];
    return r.kind === 'await' && this.mem.peek(r.pred as () => boolean) === true;
  }

  /** The kind of t's pending step, or null if it has finished. */
  pendingKind(t: number): StepKind | null {
    return this.status[t] === READY ? this.req[t].kind : null;
  }
  pendingLabel(t: number): string {
    return this.status[t] === READY ? this.req[t].label : '';
  }
  /** Number of values of t's pending choose (0 if it is not a choose). */
  choices(t: number): number {
    return this.status[t] === READY && this.req[t].kind === 'choose' ? this.req[t].n : 0;
  }
  pendingMutex(t: number): number {
    return this.req[t].mutex;
  }

  allDone(): boolean {
    return this.nDone === this.nThreads;
  }

  /**
   * Run thread t's pending step (with `choice` for a choose). The caller has checked that t is
   * enabled, except for awaits: an await whose condition is false runs as a failed assume and stops
   * the thread for the rest of the execution.
   */
  exec(t: number, choice: number): Ev {
    return this.run(t, choice, true) as Ev;
  }

  /**
   * Re-run a step of a prefix already explored: its footprint is known and its checks already
   * were evaluated when it was first run (and any violation recorded then), so nothing is recorded
   * or checked again.
   */
  replay(t: number, choice: number): void {
    this.replayedSteps++;
    this.run(t, choice, false);
  }

  private run(t: number, choice: number, record: boolean): Ev | null {
    const mem = this.mem;
    const r = this.req[t];
    // The request record is reused: the step's own request is read before the body runs.
    const kind = r.kind;
    const label = r.label;
    const mutex = r.mutex;
    const index = this.steps++;
    this.at(t, label, index);
    this.atChoice = kind === 'choose' ? choice : -1;
    this.builder.current = t;
    this.builder.took = kind === 'acquire' ? mutex : -1;
    this.builder.released = kind === 'release' ? mutex : -1;
    if (record) mem.beginStep();
    else mem.beginReplay();
    let value: number | undefined;
    let failed = false;
    switch (r.kind) {
      case 'acquire': {
        const holder = mem.read(r.mutex) as number;
        if (holder !== -1)
          throw new ExplorerError(`scheduled while mutex '${r.mutexName}' is held`, this.siteWithSchedule());
        mem.write(r.mutex, t);
        break;
      }
      case 'release': {
        const holder = mem.read(r.mutex) as number;
        if (holder !== t) {
          const who = holder === -1 ? 'nobody' : `'${this.names[holder]}'`;
          throw new ExplorerError(
            `releases mutex '${r.mutexName}', which it does not hold (held by ${who})`,
            this.siteWithSchedule(),
          );
        }
        mem.write(r.mutex, -1);
        break;
      }
      case 'await': {
        let ok: boolean;
        try {
          ok = (r.pred as () => boolean)() === true;
        } catch (e) {
          throw this.wrap(e, t);
        }
        if (!ok) failed = true;
        break;
      }
      case 'choose':
        if (!(choice >= 0 && choice < r.n))
          throw new ExplorerError(`choice ${choice} out of range 0..${r.n - 1}`, this.siteWithSchedule());
        value = choice;
        break;
    }
    if (failed) this.status[t] = STOPPED;
    else this.advance(t, value, record ? Mode.STEP : Mode.REPLAY);
    this.builder.current = -1;
    if (!record) {
      mem.mode = Mode.OFF;
      this.at(-1, '', -1);
      return null;
    }
    const fp = mem.endStep();
    let writes = fp.writes;
    // Predicates scoped to what this step changed: their virtual key joins the footprint.
    if (this.preds.length > 0 && (writes.length > 0 || fp.adds.length > 0)) {
      const touched = this.touchedPreds(writes, fp.adds);
      if (touched.length > 0 && writes.length === 0) writes = [];
      for (const i of touched) writes.push(this.predKey[i]);
      for (const i of touched) this.check(i, index);
    }
    this.at(-1, '', -1);
    const ev: Ev = {
      tid: t,
      choice: kind === 'choose' ? choice : -1,
      label,
      reads: fp.reads,
      writes,
      adds: fp.adds,
      kind,
      mutex,
      took: this.builder.took,
      released: this.builder.released,
      failed,
      rm: keyMask(fp.reads),
      wm: keyMask(writes),
      am: keyMask(fp.adds),
    };
    if (this.log.length > index) this.log.truncate(index);
    this.log.push(ev);
    return ev;
  }

  private touchedPreds(writes: number[], adds: number[]): number[] {
    const out: number[] = [];
    const stamp = ++this.touchStamp;
    for (let j = 0; j < writes.length; j++) this.touch(writes[j], stamp, out);
    for (let j = 0; j < adds.length; j++) this.touch(adds[j], stamp, out);
    const g = this.globalPreds;
    for (let j = 0; j < g.length; j++) this.mark(g[j], stamp, out);
    return out;
  }

  /** Per key, the predicates scoped to its object (filled as keys are first touched). */
  private predsOfKey: (number[] | undefined)[] = [];
  /** touchedPreds' dedup: the call that last listed each predicate. */
  private predStamp = new Int32Array(0);
  private touchStamp = 0;
  private touch(k: number, stamp: number, out: number[]): void {
    let l = this.predsOfKey[k];
    if (l === undefined) this.predsOfKey[k] = l = this.byObject.get(this.mem.keyObject[k]) ?? [];
    for (let j = 0; j < l.length; j++) this.mark(l[j], stamp, out);
  }
  private mark(i: number, stamp: number, out: number[]): void {
    if (this.predStamp[i] === stamp) return;
    this.predStamp[i] = stamp;
    out.push(i);
  }

  /**
   * Evaluate a predicate: true, or false / a message. A Violation thrown by it is its message. A
   * scoped predicate (`scope`) may read only keys of its objects.
   */
  private evaluate(p: PredicateSpec, what: string, scope: PredScope | null = null): boolean | string {
    this.mem.scope = scope;
    try {
      return this.mem.peek(p.pred);
    } catch (e) {
      if (e instanceof Violation) return e.message;
      if (e instanceof ExplorerError) throw e;
      throw new ExplorerError(`${what} '${p.name}' threw: ${errText(e)}`, this.siteWithSchedule(), {
        cause: e,
      });
    } finally {
      this.mem.scope = null;
    }
  }

  private check(i: number, step: number): void {
    const p = this.preds[i];
    const v = this.evaluate(p, 'check', this.scopes[i]);
    if (i < this.nAlways) {
      if (v !== true)
        this.record({
          assertion: p.name,
          message: typeof v === 'string' ? v : `${p.name} does not hold`,
          kind: 'always',
          step,
        });
    } else if (v === true && !this.witnessed.some((w) => w[0] === i - this.nAlways)) {
      this.witnessed.push([i - this.nAlways, step]);
    }
  }

  /** Record a violation unless this check already failed in this execution. */
  private record(v: ViolationRecord): void {
    for (const w of this.violations) if (w.assertion === v.assertion) return;
    this.violations.push(v);
  }

  /** The violation of `assertion` in this execution, if any. */
  violationOf(assertion: string): ViolationRecord | undefined {
    return this.violations.find((v) => v.assertion === assertion);
  }

  /** End-of-execution checks, for complete executions. */
  checkFinals(): void {
    for (const p of this.inst.finals) {
      const v = this.evaluate(p, 'final check');
      if (v !== true)
        this.record({
          assertion: p.name,
          message: typeof v === 'string' ? v : `${p.name} does not hold`,
          kind: 'final',
          step: this.steps - 1,
        });
    }
  }

  /** The footprint a blocked thread's pending step would have (for race analysis at a deadlock). */
  blockedFootprint(t: number): Ev {
    const r = this.req[t];
    const mem = this.mem;
    mem.beginStep();
    if (r.kind === 'await') {
      try {
        (r.pred as () => boolean)();
      } finally {
        mem.endStep();
      }
    } else mem.endStep();
    const reads = r.kind === 'await' ? mem.reads : [];
    const writes = r.kind === 'acquire' ? [r.mutex] : [];
    return {
      tid: t,
      choice: -1,
      label: r.label,
      reads,
      writes,
      adds: [],
      kind: r.kind,
      mutex: r.mutex,
      took: -1,
      released: -1,
      failed: false,
      rm: keyMask(reads),
      wm: keyMask(writes),
      am: 0,
    };
  }

  /** Who waits for what, for a deadlock report. */
  waitFor(): string[] {
    const out: string[] = [];
    for (let t = 0; t < this.nThreads; t++) {
      const name = this.names[t];
      if (this.status[t] === STOPPED) out.push(`${name} waits in '${this.req[t].label}' (condition false)`);
      if (this.status[t] !== READY) continue;
      const r = this.req[t];
      if (r.kind === 'acquire') {
        const h = this.mem.vals[r.mutex] as number;
        out.push(`${name} waits for ${r.mutexName} held by ${h >= 0 ? this.names[h] : 'nobody'}`);
      } else if (r.kind === 'await') out.push(`${name} waits in '${r.label}' (condition false)`);
    }
    return out;
  }

  /** Resume thread t's generator: the body of the step runs now. */
  private advance(t: number, value: number | undefined, mode: Mode): void {
    const mem = this.mem;
    const saved = mem.mode;
    mem.mode = mode;
    let res: IteratorResult<Request, void>;
    try {
      res = this.gens[t].next(value as number);
    } catch (e) {
      mem.mode = saved;
      if (e instanceof Violation) {
        this.record({ assertion: e.assertion, message: e.message, kind: 'assert', step: this.steps - 1 });
        this.status[t] = DONE;
        this.nDone++;
        return;
      }
      throw this.wrap(e, t);
    }
    mem.mode = saved;
    if (res.done) {
      this.status[t] = DONE;
      this.nDone++;
      return;
    }
    this.normalize(res.value, t, this.req[t]);
  }

  /** Read a yielded request into the thread's (reused) request record. */
  private normalize(r: unknown, t: number, q: Norm): void {
    if (typeof r === 'string') {
      q.kind = 'step';
      q.label = r;
      q.mutex = -1;
      q.pred = null;
      return;
    }
    const bad = (why: string) =>
      new ExplorerError(`thread '${this.names[t]}' yielded ${why}`, {
        ...this.site,
        schedule: this.scheduleOf(),
      });
    if (r === null || typeof r !== 'object')
      throw bad(`${r === undefined ? 'nothing' : typeof r}: yield a step label or a request`);
    if (typeof (r as { then?: unknown }).then === 'function')
      throw bad('a Promise: threads are synchronous; model waits with until()');
    const o = r as { kind?: unknown; label?: unknown };
    q.label = typeof o.label === 'string' ? o.label : '';
    q.mutex = -1;
    q.pred = null;
    switch (o.kind) {
      case 'acquire':
      case 'release': {
        const mx = (r as { mutex?: { key?: unknown; name?: unknown } }).mutex;
        if (!mx || typeof mx.key !== 'number') throw bad(`a ${o.kind} without a mutex`);
        q.kind = o.kind;
        q.mutex = mx.key;
        q.mutexName = String(mx.name);
        return;
      }
      case 'await': {
        const pred = (r as { pred?: unknown }).pred;
        if (typeof pred !== 'function') throw bad('an await without a predicate');
        q.kind = 'await';
        q.pred = pred as () => boolean;
        return;
      }
      case 'choose': {
        const n = (r as { n?: unknown }).n;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
          throw bad(`a choose of ${String(n)} values`);
        q.kind = 'choose';
        q.n = n;
        return;
      }
      default:
        throw bad(`an object that is not a request (${JSON.stringify(r).slice(0, 60)})`);
    }
  }

  /** Where model code runs now, with the schedule so far: for errors raised outside the runner. */
  siteWithSchedule(): ErrorSite {
    return { ...this.site, schedule: this.scheduleOf() };
  }

  private wrap(e: unknown, t: number): ExplorerError {
    if (e instanceof ExplorerError) return e;
    return new ExplorerError(
      `thread '${this.names[t]}' threw ${errText(e)}`,
      { ...this.site, thread: this.names[t], schedule: this.scheduleOf() },
      { cause: e },
    );
  }

  /** Number of `sometimes` predicates. */
  get nWitnesses(): number {
    return this.preds.length - this.nAlways;
  }
  witnessName(i: number): string {
    return this.preds[this.nAlways + i].name;
  }
  alwaysNames(): string[] {
    return this.preds.slice(0, this.nAlways).map((p) => p.name);
  }
}

export function errText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
