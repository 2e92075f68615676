import { Dpor } from './dpor.ts';
import { type ErrorSite, ExplorerError } from './errors.ts';
import type { Ev } from './event.ts';
import { DONE, type Outcome, READY, Runner, type ViolationRecord } from './execution.ts';
import { EventLog, type EventSeq } from './log.ts';
import { STEP_ACCESSES_DEFAULT, STEP_TIME_MS_DEFAULT } from './memory.ts';
import type { Model } from './model.ts';
import { Naive } from './naive.ts';
import { Pct, RandomWalk } from './random.ts';
import { decodeSchedule, encodeSchedule, labelHash, type Step } from './schedule.ts';
import { blockedOutcome, type Pick, type Search, type SearchContext } from './search.ts';
import {
  causalSlice,
  fewerSwitches,
  formatTrace,
  racePartners,
  type TraceStep,
  visibleKeys,
} from './trace.ts';

/**
 * The entry point: `explore(model, options)` runs a strategy to the end and returns a result;
 * `new Exploration(model, options)` does the same in slices (`runSlice(ms)`), so a Web Worker can
 * report progress between slices and be cancelled.
 */

export type Strategy = 'optimal' | 'source' | 'naive' | 'random' | 'pct' | 'replay';

export interface ExploreOptions {
  /** Default 'optimal' (Optimal DPOR). */
  strategy?: Strategy;
  /**
   * For 'replay': the schedule to run. For 'optimal'/'source': a prefix replayed first, after
   * which exploration covers every continuation of it.
   */
  schedule?: string;
  /** Length bound: steps per execution (default 2000). Hitting it is reported, never a pass. */
  maxSteps?: number;
  /** Execution budget (default: unlimited for exhaustive strategies). */
  maxExecutions?: number;
  /**
   * Time budget in ms (default: unlimited). Checked between executions, and inside a step that
   * makes many memory accesses: a step still running when it runs out is an ExplorerError.
   */
  timeMs?: number;
  /**
   * Memory accesses one step may make (default 10^7): more means it loops without yielding, and
   * raises an ExplorerError naming the thread, the step and the schedule.
   */
  maxStepAccesses?: number;
  /** Time one step may run, in ms (default 1000), measured once it has made 4096 accesses. */
  stepTimeMs?: number;
  /** 'naive' only: at most this many preemptions per execution. */
  preemptionBound?: number;
  /** 'random' / 'pct': number of runs (default 1000), seed (default 1), PCT depth (default 3). */
  runs?: number;
  seed?: number;
  depth?: number;
  /** Stop at the first violation found (default false: find every check's first violation). */
  stopOnViolation?: boolean;
  /** Search for the counterexample with the fewest preemptions (default true). */
  minimize?: boolean;
  /** 'naive' only: count Mazurkiewicz traces by normal forms (the test oracle). */
  countTraces?: boolean;
  /** Replay every execution a second time and compare its steps (finds hidden nondeterminism). */
  checkDeterminism?: boolean;
}

export interface Counts {
  /** Executions run, of every outcome. */
  executions: number;
  /** Every thread returned. */
  complete: number;
  deadlocked: number;
  /** DPOR: executions cut short because every runnable step was already covered. */
  sleepBlocked: number;
  /** Executions in which an await ran too early (its condition became true later): redundant. */
  awaitBlocked: number;
  /** Executions that hit the length bound. */
  lengthBound: number;
  /**
   * Steps run, summed over executions: each execution's full length, its replayed prefix included
   * (`newSteps + replayedSteps`).
   */
  steps: number;
  /** Steps run for the first time: recorded, their races checked (DPOR: past the replayed prefix). */
  newSteps: number;
  /**
   * DPOR re-runs each execution's prefix from the initial state without recording it (generators
   * cannot be cloned): those steps. 0 for the other strategies.
   */
  replayedSteps: number;
  /** Distinct final states of complete executions. */
  finalStates: number;
  /** Maximal executions (complete + deadlocked), or the normal-form count with `countTraces`. */
  traces: number;
}

export interface Counterexample {
  /** The check that failed: an invariant, a final check, a thread's assertion, or 'deadlock'. */
  assertion: string;
  kind: ViolationRecord['kind'];
  message: string;
  /** Replays this exact interleaving: `explore(model, { strategy: 'replay', schedule })`. */
  schedule: string;
  preemptions: number;
  /** True when a search proved no interleaving has fewer preemptions. */
  minimal: boolean;
  steps: TraceStep[];
  /** Threads in lane order. */
  threads: string[];
  /** Plain-text swimlane, for test failures and the console. */
  text: string;
}

export interface CheckResult {
  status: 'holds' | 'violated' | 'unchecked';
  counterexample?: Counterexample;
}

export interface ExploreResult {
  model: string;
  strategy: string;
  /**
   * holds: exhaustive, no violation, every witness reached. breaks: a violation was found.
   * bounded: no violation, but the search was not exhaustive (a bound, a budget, or sampling).
   * vacuous: exhaustive and no violation, but some witness was never reached.
   */
  verdict: 'holds' | 'breaks' | 'bounded' | 'vacuous';
  /** One line: the verdict with its scope, e.g. "holds: exhaustive (optimal DPOR, 12 traces, …)". */
  text: string;
  exhaustive: boolean;
  counts: Counts;
  checks: Record<string, CheckResult>;
  witnesses: Record<string, { reached: boolean; schedule?: string }>;
  /** Which bound stopped the search, if any. */
  bound: { kind: 'length' | 'executions' | 'time' | 'preemptions'; detail: string } | null;
  /** The first counterexample found (minimised), or null. */
  counterexample: Counterexample | null;
  violations: Counterexample[];
  /** The last execution of a replay: its outcome. */
  outcome?: Outcome;
  /**
   * A 32-bit hash of each distinct final state, sorted (for comparing strategies). The states
   * are counted exactly; two of them may share a hash here.
   */
  finalStateHashes: number[];
  elapsedMs: number;
  stepsPerSec: number;
  executionsPerSec: number;
  /**
   * DPOR: the part of elapsedMs spent re-running replayed prefixes (counts.replayedSteps), so
   * new and replayed steps each have their own rate.
   */
  replayMs?: number;
  /** Optimal DPOR: wakeup-tree branches that could not be taken (should be 0). */
  wakeupMisses?: number;
  /** Optimal DPOR: the most wakeup-tree nodes held at once (beyond the current path). */
  peakWakeupNodes?: number;
}

export interface Progress {
  executions: number;
  steps: number;
  elapsedMs: number;
  executionsPerSec: number;
  estimate: number;
  violations: number;
  done: boolean;
}

interface Found {
  rec: ViolationRecord;
  events: Ev[];
}

const now = globalThis.performance.now.bind(globalThis.performance);

/** Executions the preemption-bounded search may spend per bound while minimising a counterexample. */
const MINIMIZE_BUDGET = 10_000;

export class Exploration implements SearchContext {
  readonly runner: Runner;
  readonly maxSteps: number;
  private readonly search: Search;
  private readonly opts: ExploreOptions;
  /** The options this exploration runs with (a replay link keeps them, e.g. a custom maxSteps). */
  get options(): Readonly<ExploreOptions> {
    return this.opts;
  }
  private readonly strategy: Strategy;
  readonly counts: Counts = {
    executions: 0,
    complete: 0,
    deadlocked: 0,
    sleepBlocked: 0,
    awaitBlocked: 0,
    lengthBound: 0,
    steps: 0,
    newSteps: 0,
    replayedSteps: 0,
    finalStates: 0,
    traces: 0,
  };
  /** Distinct final states: bucketed by hash, told apart exactly (a 32-bit hash collides). */
  private finals = new Map<number, unknown[][]>();
  private nFinals = 0;
  private found = new Map<string, Found>();
  private witnessed = new Map<number, Ev[]>();
  private boundHit: ExploreResult['bound'] = null;
  private elapsed = 0;
  private finished = false;
  private lastOutcome: Outcome | undefined;
  private replay: ReturnType<typeof decodeSchedule> | null = null;
  private deadlockAllowed = false;
  private result_: ExploreResult | null = null;

  constructor(
    readonly model: Model,
    opts: ExploreOptions = {},
  ) {
    this.opts = opts;
    this.strategy = opts.strategy ?? 'optimal';
    this.maxSteps = opts.maxSteps ?? 2000;
    this.runner = new Runner(model);
    for (const o of ['maxStepAccesses', 'stepTimeMs'] as const) {
      const v = opts[o];
      if (v !== undefined && !(v > 0)) throw new ExplorerError(`${o} must be a positive number, got ${v}`);
    }
    this.runner.mem.setBudget({
      maxStepAccesses: opts.maxStepAccesses ?? STEP_ACCESSES_DEFAULT,
      stepTimeMs: opts.stepTimeMs ?? STEP_TIME_MS_DEFAULT,
      deadline: Number.POSITIVE_INFINITY,
      timeMs: opts.timeMs,
    });
    // Learn the threads (and validate the model) before anything runs.
    this.guarded(() => this.runner.start());
    this.deadlockAllowed = this.runner.inst.options.allowDeadlock === true;
    const names = this.runner.names;
    const prefix: Pick[] = opts.schedule ? decodeSchedule(opts.schedule, names).picks : [];
    switch (this.strategy) {
      case 'optimal':
      case 'source':
        this.search = Dpor.for(this, this.strategy, prefix);
        break;
      case 'naive':
        this.search = new Naive(this, opts.preemptionBound, opts.countTraces);
        break;
      case 'random':
        this.search = new RandomWalk(this, opts.runs ?? 1000, opts.seed ?? 1);
        break;
      case 'pct':
        this.search = new Pct(this, opts.runs ?? 1000, opts.seed ?? 1, opts.depth ?? 3);
        break;
      case 'replay': {
        if (!opts.schedule) throw new ExplorerError(`strategy 'replay' needs a schedule`);
        this.replay = decodeSchedule(opts.schedule, names);
        this.search = new Replay(this, this.replay);
        break;
      }
      default:
        throw new ExplorerError(`unknown strategy '${String(this.strategy)}'`);
    }
  }

  // --- SearchContext ------------------------------------------------------------------------

  finish(outcome: Outcome, events: EventSeq): void {
    const c = this.counts;
    const r = this.runner;
    c.executions++;
    c.steps += events.length;
    c.replayedSteps += r.replayedSteps;
    c.newSteps += events.length - r.replayedSteps;
    this.lastOutcome = outcome;
    for (const [w, step] of r.witnessed)
      if (!this.witnessed.has(w)) this.witnessed.set(w, events.slice(0, step + 1));
    switch (outcome) {
      case 'complete':
        c.complete++;
        c.traces++;
        this.addFinal();
        break;
      case 'deadlock':
        c.deadlocked++;
        c.traces++;
        if (!this.deadlockAllowed) {
          const rec: ViolationRecord = {
            assertion: 'deadlock',
            message: `deadlock: ${r.waitFor().join('; ')}`,
            kind: 'deadlock',
            step: events.length - 1,
          };
          if (!this.found.has('deadlock')) this.found.set('deadlock', { rec, events: events.slice() });
        }
        break;
      case 'sleep-blocked':
        c.sleepBlocked++;
        break;
      case 'await-blocked':
        c.awaitBlocked++;
        break;
      case 'bound':
        c.lengthBound++;
        if (!this.boundHit) {
          const t = events.at(-1) as Ev;
          this.boundHit = {
            kind: 'length',
            detail: `an execution ran ${this.maxSteps} steps (last: thread '${r.names[t.tid]}', step '${t.label}'): raise maxSteps or bound the loop`,
          };
        }
        break;
    }
    for (const rec of r.violations)
      if (!this.found.has(rec.assertion)) this.found.set(rec.assertion, { rec, events: events.slice() });
    if (this.opts.checkDeterminism && outcome !== 'sleep-blocked') this.checkDeterminism(events);
  }

  private addFinal(): void {
    const mem = this.runner.mem;
    const h = mem.hash();
    const states = this.finals.get(h);
    if (states === undefined) this.finals.set(h, [mem.snapshot()]);
    else if (!states.some((s) => mem.equals(s))) states.push(mem.snapshot());
    else return;
    this.nFinals++;
  }

  // --- Driving ------------------------------------------------------------------------------

  get done(): boolean {
    return this.finished;
  }

  /** Run executions for about `budgetMs` (at least one). Returns progress. */
  runSlice(budgetMs = 20): Progress {
    if (this.finished) return this.progress();
    const t0 = now();
    const o = this.opts;
    // A step that spins is stopped at its accessors once timeMs runs out (Memory.tick); outside
    // runSlice (counterexamples, a paused exploration) there is no deadline.
    const budget = this.runner.mem.budget;
    if (o.timeMs !== undefined) budget.deadline = t0 - this.elapsed + o.timeMs;
    try {
      this.runSliceLoop(t0, budgetMs);
    } finally {
      budget.deadline = Number.POSITIVE_INFINITY;
    }
    this.elapsed += now() - t0;
    return this.progress();
  }

  private runSliceLoop(t0: number, budgetMs: number): void {
    const o = this.opts;
    this.guarded(() => {
      for (;;) {
        if (!this.search.next()) {
          this.finished = true;
          break;
        }
        if (o.stopOnViolation && this.found.size > 0) {
          this.finished = true;
          break;
        }
        if (o.maxExecutions !== undefined && this.counts.executions >= o.maxExecutions) {
          this.finished = true;
          if (!this.exhausted())
            this.boundHit ??= { kind: 'executions', detail: `stopped after ${o.maxExecutions} executions` };
          break;
        }
        const t = now();
        if (o.timeMs !== undefined && this.elapsed + (t - t0) >= o.timeMs) {
          this.finished = true;
          if (!this.exhausted()) this.boundHit ??= { kind: 'time', detail: `stopped after ${o.timeMs} ms` };
          break;
        }
        if (t - t0 >= budgetMs) break;
      }
    });
  }

  /** Is there nothing left to explore? (Peeks without running.) */
  private exhausted(): boolean {
    return this.search.finished();
  }

  progress(): Progress {
    return {
      executions: this.counts.executions,
      steps: this.counts.steps,
      elapsedMs: this.elapsed,
      executionsPerSec: this.elapsed > 0 ? (this.counts.executions * 1000) / this.elapsed : 0,
      estimate: this.search.estimate(),
      violations: this.found.size,
      done: this.finished,
    };
  }

  /** Run to the end and build the result (counterexamples minimised). */
  run(): ExploreResult {
    while (!this.finished) this.runSlice(1e9);
    return this.result();
  }

  result(): ExploreResult {
    if (this.result_) return this.result_;
    const r = this.runner;
    const c = this.counts;
    c.finalStates = this.nFinals;
    const naive = this.search instanceof Naive ? this.search : null;
    if (naive?.normalForms) c.traces = naive.normalForms.size;
    if (naive?.boundCut && !this.boundHit)
      this.boundHit = { kind: 'preemptions', detail: `at most ${this.opts.preemptionBound} preemptions` };
    const exhaustive = this.search.exhaustive && this.finished && this.exhausted() && this.boundHit === null;

    const violations: Counterexample[] = [];
    const checks: Record<string, CheckResult> = {};
    for (const [name, f] of this.found) {
      const cex = this.guarded(() => this.aside(() => this.counterexample(f)));
      violations.push(cex);
      checks[name] = { status: 'violated', counterexample: cex };
    }
    const clean = exhaustive;
    const declared = [...r.alwaysNames(), ...r.inst.finals.map((p) => p.name)];
    if (!this.deadlockAllowed) declared.push('deadlock');
    for (const name of declared) if (!checks[name]) checks[name] = { status: clean ? 'holds' : 'unchecked' };

    const witnesses: ExploreResult['witnesses'] = {};
    for (let i = 0; i < r.nWitnesses; i++) {
      const ev = this.witnessed.get(i);
      witnesses[r.witnessName(i)] = ev
        ? { reached: true, schedule: this.scheduleOf(ev) }
        : { reached: false };
    }
    const unreached = Object.entries(witnesses)
      .filter(([, w]) => !w.reached)
      .map(([n]) => n);

    let verdict: ExploreResult['verdict'];
    if (violations.length > 0) verdict = 'breaks';
    else if (!exhaustive) verdict = 'bounded';
    else if (unreached.length > 0) verdict = 'vacuous';
    else verdict = 'holds';

    const desc = this.search.description;
    const stats = `${c.executions} executions, ${c.traces} traces, ${c.finalStates} final states`;
    let text: string;
    if (verdict === 'breaks') {
      const v = violations[0];
      text = `breaks: '${v.assertion}' violated (${desc}; ${v.preemptions} preemption${v.preemptions === 1 ? '' : 's'}): ${v.message}`;
    } else if (verdict === 'holds') text = `holds: exhaustive (${desc}; ${stats})`;
    else if (verdict === 'vacuous')
      text = `vacuous: no violation, but never reached: ${unreached.map((n) => `'${n}'`).join(', ')} (${desc}; ${stats})`;
    else
      text = `bounded: no violation found, not exhaustive: ${
        this.boundHit ? this.boundHit.detail : this.strategy === 'replay' ? 'one replayed schedule' : desc
      } (${stats})`;
    if (this.search instanceof Pct && verdict !== 'breaks') {
      // PCT's guarantee: a bug of depth d is found by one run with probability ≥ 1/(n·k^(d−1)).
      const p = this.search.guarantee(r.nThreads);
      const runs95 = Math.ceil(Math.log(0.05) / Math.log(1 - p));
      text += `; per run, a depth-${this.search.depth} bug is found with p ≥ ${p.toExponential(2)} (95% needs ${runs95} runs)`;
    }

    const secs = this.elapsed / 1000;
    this.result_ = {
      model: this.model.name,
      strategy: this.strategy,
      verdict,
      text,
      exhaustive,
      counts: { ...c },
      checks,
      witnesses,
      bound: this.boundHit,
      counterexample: violations[0] ?? null,
      violations,
      outcome: this.strategy === 'replay' ? this.lastOutcome : undefined,
      finalStateHashes: [...this.finals].flatMap(([h, states]) => states.map(() => h)).sort((a, b) => a - b),
      elapsedMs: this.elapsed,
      stepsPerSec: secs > 0 ? c.steps / secs : 0,
      executionsPerSec: secs > 0 ? c.executions / secs : 0,
      replayMs: this.search instanceof Dpor ? this.search.replayMs : undefined,
      wakeupMisses: this.search instanceof Dpor ? this.search.wakeupMisses : undefined,
      peakWakeupNodes: this.search instanceof Dpor ? this.search.peakWakeupNodes : undefined,
    };
    return this.result_;
  }

  /**
   * Run executions that are not the search's (counterexamples, determinism checks) on a log of
   * their own: the search's log holds the prefix it replays next.
   */
  private aside<T>(fn: () => T): T {
    const r = this.runner;
    const saved = r.log;
    r.log = new EventLog();
    try {
      return fn();
    } finally {
      r.log = saved;
    }
  }

  /** Run model code under the determinism guard; a refused call names this runner's thread and step. */
  private guarded<T>(fn: () => T): T {
    return guarded(fn, () => this.runner.siteWithSchedule());
  }

  // --- Counterexamples ----------------------------------------------------------------------

  scheduleOf(events: readonly Ev[]): string {
    return encodeSchedule(
      events.map((e): Step => ({ tid: e.tid, choice: e.choice, label: e.label })),
      this.runner.names,
    );
  }

  /**
   * Make a found violation readable: cut it to the causal past of the violating step, reorder it
   * to switch threads as rarely as possible, and (with `minimize`) search for an interleaving
   * with fewer preemptions by iterative preemption bounding. Then replay it, recording each
   * step's changes.
   */
  private counterexample(f: Found): Counterexample {
    const r = this.runner;
    const nKeys = r.mem.keyNames.length;
    const shrink = (events: readonly Ev[], rec: ViolationRecord): Pick[] => {
      if (rec.kind === 'deadlock' || rec.kind === 'final' || rec.step < 0) return events.map(pickOf);
      const keep = causalSlice(events, rec.step, r.nThreads, nKeys).map((i) => events[i]);
      return fewerSwitches(keep, r.nThreads, nKeys).map((i) => pickOf(keep[i]));
    };
    let best =
      this.traced(shrink(f.events, f.rec), f.rec.assertion) ??
      this.traced(f.events.map(pickOf), f.rec.assertion);
    if (best === null) throw new ExplorerError(`counterexample for '${f.rec.assertion}' does not replay`);
    let minimal = best.preemptions === 0;
    if (this.opts.minimize !== false && !minimal) {
      minimal = true;
      for (let bound = 0; bound < best.preemptions; bound++) {
        const hit = this.searchBounded(bound, f.rec.assertion);
        if (hit === 'budget') {
          minimal = false;
          continue;
        }
        if (hit) {
          let t =
            this.traced(shrink(hit.events, hit.rec), f.rec.assertion) ??
            this.traced(hit.events.map(pickOf), f.rec.assertion);
          // Cutting a thread's steps that the violation does not depend on can leave that
          // thread preempted: then the execution found within the bound, uncut, is the witness.
          if (t && t.preemptions > bound) t = this.traced(hit.events.map(pickOf), f.rec.assertion) ?? t;
          if (t && t.preemptions < best.preemptions) best = t;
          break;
        }
      }
    }
    return { ...best, minimal, threads: r.names };
  }

  /** Preemption-bounded naive search for a violation of `assertion`. */
  private searchBounded(bound: number, assertion: string): Found | null | 'budget' {
    let hit: Found | null = null;
    const ctx: SearchContext = {
      runner: this.runner,
      maxSteps: this.maxSteps,
      finish: (outcome, events) => {
        if (hit) return;
        const v = this.runner.violationOf(assertion);
        if (v) hit = { rec: v, events: events.slice() };
        else if (outcome === 'deadlock' && assertion === 'deadlock')
          hit = {
            rec: { assertion, message: '', kind: 'deadlock', step: events.length - 1 },
            events: events.slice(),
          };
      },
    };
    const s = new Naive(ctx, bound);
    // An execution budget, not a time budget: the same model gives the same counterexample.
    for (let n = 0; s.next(); n++) {
      if (hit) return hit;
      if (n >= MINIMIZE_BUDGET) return 'budget';
    }
    return hit;
  }

  /** Replay picks with tracing on; null if the violation does not happen. */
  private traced(
    picks: readonly Pick[],
    assertion: string,
  ): Omit<Counterexample, 'minimal' | 'threads'> | null {
    const r = this.runner;
    const mem = r.mem;
    r.start();
    const events: Ev[] = [];
    const steps: TraceStep[] = [];
    let preemptions = 0;
    mem.tracing = true;
    try {
      for (let k = 0; k < picks.length; k++) {
        const p = picks[k];
        if (r.status[p.tid] !== READY || (r.pendingKind(p.tid) !== 'await' && !r.enabled(p.tid))) return null;
        const prev = k > 0 ? picks[k - 1].tid : -1;
        const preempt = prev >= 0 && prev !== p.tid && r.status[prev] !== DONE && r.enabled(prev);
        if (preempt) preemptions++;
        const ev = r.exec(p.tid, p.choice);
        events.push(ev);
        const diff = mem.diff ?? new Map<number, unknown>();
        // A mutex's value is its holder: show the thread, not its index.
        const shown = (key: number, v: unknown) =>
          mem.mutexKeys.has(key) ? (v === -1 ? 'free' : r.names[v as number]) : v;
        const changes = [...diff.entries()]
          .filter(([key]) => !mem.keyNames[key].startsWith('@'))
          .map(([key, before]) => ({
            key: mem.keyNames[key],
            before: shown(key, before),
            after: shown(key, mem.vals[key]),
          }));
        const readValues: Record<string, unknown> = {};
        for (const key of ev.reads)
          if (!mem.keyNames[key].startsWith('@'))
            readValues[mem.keyNames[key]] = shown(key, diff.has(key) ? diff.get(key) : mem.vals[key]);
        steps.push({
          index: k,
          thread: r.names[p.tid],
          label: ev.label,
          kind: ev.kind,
          ...(ev.choice >= 0 ? { choice: ev.choice } : {}),
          ...(ev.mutex >= 0 ? { mutex: mem.keyNames[ev.mutex] } : {}),
          reads: visibleKeys(ev.reads, mem.keyNames),
          readValues,
          writes: visibleKeys([...ev.writes, ...ev.adds], mem.keyNames),
          changes,
          racesWith: [],
          preemption: preempt,
          ...(ev.failed ? { failed: true } : {}),
        });
        if (r.violationOf(assertion)) break;
      }
    } finally {
      mem.tracing = false;
      mem.diff = null;
    }
    let v = r.violationOf(assertion);
    if (!v && r.allDone()) {
      r.checkFinals();
      v = r.violationOf(assertion);
    }
    let message: string;
    let kind: ViolationRecord['kind'];
    if (assertion === 'deadlock' && !v) {
      let stuck = !r.allDone();
      for (let t = 0; t < r.nThreads && stuck; t++) if (r.enabled(t)) stuck = false;
      if (!stuck) return null;
      message = `deadlock: ${r.waitFor().join('; ')}`;
      kind = 'deadlock';
    } else {
      if (!v) return null;
      message = v.message;
      kind = v.kind;
    }
    const partners = racePartners(events, r.nThreads, mem.keyNames.length);
    steps.forEach((s, i) => {
      s.racesWith = partners[i];
    });
    return {
      assertion,
      kind,
      message,
      schedule: this.scheduleOf(events),
      preemptions,
      steps,
      text: `'${assertion}' violated: ${message}\n${formatTrace(steps, r.names)}`,
    };
  }

  private checkDeterminism(seq: EventSeq): void {
    const events = seq.slice();
    const again: Ev[] = [];
    const r = this.runner;
    this.aside(() => {
      r.start();
      for (const e of events) {
        if (r.status[e.tid] !== READY) break;
        again.push(r.exec(e.tid, e.choice));
      }
    });
    const sig = (e: Ev) => `${e.tid}:${e.choice}:${e.label}:${e.reads}:${e.writes}:${e.adds}`;
    for (let i = 0; i < events.length; i++)
      if (!again[i] || sig(again[i]) !== sig(events[i]))
        throw new ExplorerError(
          `the model is not deterministic: step #${i} was '${events[i].label}' (thread '${r.names[events[i].tid]}') and replayed as ${
            again[i] ? `'${again[i].label}' with another footprint` : 'nothing'
          }`,
          { schedule: this.scheduleOf(events.slice(0, i + 1)) },
        );
  }
}

function pickOf(e: Ev): Pick {
  return { tid: e.tid, choice: e.choice };
}

/** Replay one schedule, checking every run's last label and the hash of all labels. */
class Replay implements Search {
  readonly exhaustive = false;
  readonly description = 'replay';
  private ran = false;
  private events: Ev[] = [];
  constructor(
    private readonly ctx: Exploration,
    private readonly sched: ReturnType<typeof decodeSchedule>,
  ) {}
  estimate(): number {
    return 1;
  }
  finished(): boolean {
    return this.ran;
  }
  next(): boolean {
    if (this.ran) return false;
    this.ran = true;
    const r = this.ctx.runner;
    const { picks, checkpoints, hash } = this.sched;
    r.start();
    const events = this.events;
    let outcome: Outcome = 'complete';
    const where = (k: number) => ({ step: k, schedule: this.ctx.scheduleOf(events) });
    for (let k = 0; k < picks.length; k++) {
      const p = picks[k];
      const name = r.names[p.tid];
      if (r.status[p.tid] !== READY)
        throw new ExplorerError(`replay diverged: thread '${name}' has no step left at step #${k}`, where(k));
      if (r.pendingKind(p.tid) !== 'await' && !r.enabled(p.tid))
        throw new ExplorerError(
          `replay diverged: thread '${name}' cannot run at step #${k} ('${r.pendingLabel(p.tid)}' is blocked)`,
          where(k),
        );
      const ev = r.exec(p.tid, p.choice);
      events.push(ev);
      const want = checkpoints.get(k);
      if (want !== undefined && want !== ev.label)
        throw new ExplorerError(
          `replay diverged at step #${k}: thread '${name}' ran '${ev.label}', the schedule says '${want}'`,
          where(k),
        );
    }
    if (hash !== null && labelHash(events.map((e) => e.label)) !== hash)
      throw new ExplorerError(
        'replay diverged: the steps ran other code than when recorded (label hash differs)',
        {
          schedule: this.ctx.scheduleOf(events),
        },
      );
    if (r.allDone()) {
      r.checkFinals();
      outcome = 'complete';
    } else {
      let stuck = true;
      for (let t = 0; t < r.nThreads; t++) if (r.enabled(t)) stuck = false;
      outcome = stuck ? blockedOutcome(r, events) : 'stopped';
    }
    this.ctx.finish(outcome, events);
    return true;
  }
}

/** Explore a model to the end. */
export function explore(model: Model, opts: ExploreOptions = {}): ExploreResult {
  return new Exploration(model, opts).run();
}

// --- Determinism guard --------------------------------------------------------------------------

/** The stubs in place, if any: a nested explore() leaves them to the outer one. */
let stubbed: (() => number) | null = null;
/**
 * Threads must be deterministic: Math.random, Date and performance.now are replaced with
 * throwing stubs while the explorer runs model code. Nesting is seen by the stub itself, not a
 * counter: a run terminated mid-way (vitest's vm timeout) skips `finally`, and once its host has
 * put the globals back, the next explore() must install the guard again.
 */
function guarded<T>(fn: () => T, site: () => ErrorSite): T {
  if (Math.random === stubbed) return fn();
  const g = globalThis as unknown as { Date: DateConstructor; performance: Performance };
  const saved = { random: Math.random, Date: g.Date, pnow: g.performance.now };
  const refuse = (what: string) => () => {
    throw new ExplorerError(
      `${what} called from model code: threads must be deterministic (use yield choose(label, n) for data nondeterminism)`,
      site(),
    );
  };
  Math.random = stubbed = refuse('Math.random()');
  const FakeDate = function FakeDate() {
    return refuse('Date')();
  } as unknown as DateConstructor;
  FakeDate.now = refuse('Date.now()');
  g.Date = FakeDate;
  g.performance.now = refuse('performance.now()');
  try {
    return fn();
  } finally {
    Math.random = saved.random;
    g.Date = saved.Date;
    g.performance.now = saved.pnow;
    stubbed = null;
  }
}
