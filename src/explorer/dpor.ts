import { ExplorerError } from './errors.ts';
import { dependent, type Ev, pending, reversed, sameStep } from './event.ts';
import { type Outcome, READY } from './execution.ts';
import { HappensBefore } from './hb.ts';
import { anyEnabled, blockedOutcome, type Pick, type Search, type SearchContext } from './search.ts';
import {
  insertBelow,
  keep,
  NIL,
  type PrefixMasks,
  prefixMasks,
  remove,
  WakeupPool,
  type WNode,
  weakInitial,
} from './wakeup.ts';

/**
 * Stateless dynamic partial-order reduction (explorer.md §1.7, §4.5–6).
 *
 * - `optimal`: Optimal DPOR with wakeup trees (JACM 2017, Algorithm 2): one execution per
 *   Mazurkiewicz trace, none sleep-set blocked (in theory; blocking steps can cost a few).
 * - `source`: source-DPOR with sleep sets (JACM 2017, Algorithm 1): backtrack sets of single
 *   threads; may explore sleep-set-blocked executions.
 *
 * Depth-first, replaying each execution from the initial state (generators cannot be cloned):
 * after an execution, back up to the deepest node with a branch left and replay up to it.
 */

export type DporMode = 'optimal' | 'source';

/** The real clock, taken before the determinism guard stubs performance.now out. */
const now = globalThis.performance.now.bind(globalThis.performance);

const NO_EVS: Ev[] = [];
Object.freeze(NO_EVS);

export class Dpor implements Search {
  readonly exhaustive = true;
  readonly description: string;
  /**
   * The search stack, one slot per depth (flat, issue 12: no object per step). The step taken at
   * depth d in the current execution is the runner's log entry d; besides it, a depth has:
   */
  private depth = 0;
  /** the branches left to explore there (the rest of its wakeup tree's children), or null; */
  private alts = new Slots<WNode[] | null>(null);
  /** the wakeup subtree below the branch taken there (the next depth's children), or null; */
  private sub = new Slots<WNode[] | null>(null);
  /** its sleep set, and the steps already explored there (shared empty array when none). */
  private sleep = new Slots<Ev[]>(NO_EVS);
  private explored = new Slots<Ev[]>(NO_EVS);
  /** Depth from which the next execution's steps are new (races before it were analysed). */
  private diverge = 0;
  private done = false;
  private hb: HappensBefore;
  /** The sequence the race being reversed schedules (the tree keeps the steps it needs: canonV). */
  private v: Ev[] = [];
  private gone = new Uint8Array(64);
  private executions = 0;
  /** Wakeup-tree branches that could not be taken (a disabled thread): should stay 0. */
  wakeupMisses = 0;
  /** Time spent re-running replayed prefixes (ms). */
  replayMs = 0;
  /** Wakeup-tree nodes held now (beyond the current path), and the most ever held. */
  wakeupNodes = 0;
  peakWakeupNodes = 0;

  constructor(
    private readonly ctx: SearchContext,
    private readonly mode: DporMode,
    private readonly prefix: readonly Pick[] = [],
  ) {
    this.description = mode === 'optimal' ? 'optimal DPOR' : 'source-DPOR';
    this.hb = new HappensBefore(0);
  }

  /**
   * Optimal DPOR for a model whose steps' keys never depend on what they read (ModelOptions
   * fixedFootprints); source-DPOR otherwise, even when optimal was asked for. Optimal DPOR's
   * wakeup sequences carry a racing step, moved before the step it raced with, with the
   * footprint it had after it; a step that read that step's write may touch other keys once moved
   * (`if (tlb) content = 2`), and a covered-or-not decision taken on the old footprint can skip a
   * trace (spec-tests/explorer/moved-footprint.test.ts). Source-DPOR needs only the moved
   * sequence's initials, and a moved step whose footprint is unknown is counted an initial only
   * when nothing precedes it: fewer initials than the true ones, which stays sound.
   */
  static for(ctx: SearchContext, asked: DporMode, prefix: readonly Pick[]): Dpor {
    const fixed = ctx.runner.inst.options.fixedFootprints === true;
    return new Dpor(ctx, asked === 'optimal' && !fixed ? 'source' : asked, prefix);
  }

  next(): boolean {
    if (this.done) return false;
    this.execute();
    this.executions++;
    this.backtrack();
    return true;
  }

  finished(): boolean {
    return this.done;
  }

  estimate(): number {
    if (this.done) return this.executions;
    let est = 1;
    for (let d = 0; d < this.depth; d++)
      est *= this.explored.get(d).length + 1 + (this.alts.get(d)?.length ?? 0);
    return Math.max(est, this.executions + 1);
  }

  private execute(): void {
    const { runner: r, maxSteps } = this.ctx;
    const diverge = this.diverge;
    // The log keeps the prefix about to be replayed, as the execution that first ran it recorded it.
    r.start(diverge);
    const log = r.log;
    if (this.executions === 0) {
      this.hb = new HappensBefore(r.nThreads);
      this.hb.reset(r.mem.keyNames.length);
    } else {
      // The prefix replayed below is the previous execution's: rewind its happens-before to there
      // instead of recomputing it.
      this.hb.truncate(diverge);
    }
    // Replay the prefix: same steps, footprints, races and sleep sets, all known already.
    const t0 = diverge > 0 ? now() : 0;
    for (let d = 0; d < diverge; d++) {
      const t = log.tid[d];
      if (r.status[t] !== READY)
        throw new ExplorerError(
          `replay diverged: thread '${r.names[t]}' cannot run at step ${d}; is the model deterministic?`,
        );
      r.replay(t, log.choice[d]);
    }
    if (diverge > 0) this.replayMs += now() - t0;
    const hb = this.hb;
    let outcome: Outcome;
    let prev: Ev | null = null;
    for (let d = diverge; ; d++) {
      if (r.allDone()) {
        r.checkFinals();
        outcome = 'complete';
        break;
      }
      if (d >= maxSteps) {
        outcome = 'bound';
        break;
      }
      // A new depth: its sleep set is its parent's, less what the parent's step depends on.
      if (d === this.depth) {
        let sleep = NO_EVS;
        if (d > 0 && prev !== null) {
          const ps = this.sleep.get(d - 1);
          if (ps.length > 0) {
            // Shared with the parent while nothing drops out (sleep sets are copied on write).
            let k = 0;
            while (k < ps.length && !dependent(ps[k], prev)) k++;
            if (k === ps.length) sleep = ps;
            else {
              sleep = ps.slice(0, k);
              for (k++; k < ps.length; k++) if (!dependent(ps[k], prev)) sleep.push(ps[k]);
              if (sleep.length === 0) sleep = NO_EVS;
            }
          }
        }
        // (A depth's other slots are empty here: backtracking empties those it leaves.)
        this.sleep.set(d, sleep);
        const pendingKids = d > 0 ? this.sub.get(d - 1) : null;
        this.alts.set(d, pendingKids);
        if (pendingKids !== null) this.sub.set(d - 1, null);
      }
      if (!this.branch(d)) {
        outcome = anyEnabled(r) ? 'sleep-blocked' : blockedOutcome(r, log);
        break;
      }
      this.depth = d + 1;
      const tid = this.pickTid;
      const nChoices = r.choices(tid);
      const ev = r.exec(tid, this.pickChoice);
      const nRaces = hb.append(ev, true);
      for (let k = 0; k < nRaces; k++) this.reverse(hb.race(k), d, null);
      if (nChoices > 0 && d >= this.prefix.length) this.addChoices(d, ev, nChoices);
      prev = ev;
    }
    if (outcome === 'deadlock' || outcome === 'await-blocked') {
      // The blocked threads' pending steps race with what blocks them: reversing those races is
      // how the other ways into (and around) the deadlock are found.
      for (let t = 0; t < r.nThreads; t++) {
        if (r.status[t] !== READY) continue;
        const pend = r.blockedFootprint(t);
        const nRaces = hb.racesOfPending(pend);
        for (let k = 0; k < nRaces; k++) this.reverse(hb.race(k), -1, pend);
      }
    }
    this.ctx.finish(outcome, log);
  }

  /** The branch chosen by `branch()`. */
  private pickTid = -1;
  private pickChoice = -1;

  /**
   * Choose the branch at depth d: the first of its wakeup-tree children that can run (its subtree
   * becomes the next depth's children), a forced prefix step, or a free pick. False if none.
   */
  private branch(d: number): boolean {
    const r = this.ctx.runner;
    const kids = this.alts.get(d);
    if (kids !== null) {
      while (kids.length > 0) {
        const pool = this.pool;
        // Most lists hold one branch: no shift (a call into the runtime) to take it.
        const c = (kids.length === 1 ? kids.pop() : kids.shift()) as WNode;
        const e = pool.ev(c);
        const t = e.tid;
        if (r.status[t] === READY && (r.pendingKind(t) === 'await' || r.enabled(t))) {
          this.pickTid = t;
          this.pickChoice = e.choice < 0 && r.choices(t) > 0 ? 0 : e.choice;
          if (pool.child[c] !== NIL) this.sub.set(d, pool.childrenOf(c));
          pool.release(c);
          this.wakeupNodes--;
          if (kids.length === 0) this.alts.set(d, null);
          return true;
        }
        this.wakeupNodes -= pool.releaseTree(c);
        this.wakeupMisses++;
      }
      this.alts.set(d, null);
    }
    if (d < this.prefix.length) {
      const p = this.prefix[d];
      if (!r.enabled(p.tid))
        throw new ExplorerError(`schedule prefix: thread '${r.names[p.tid]}' cannot run at step ${d}`);
      this.pickTid = p.tid;
      this.pickChoice = p.choice;
      return true;
    }
    const sleep = this.sleep.get(d);
    const status = r.status;
    for (let t = 0; t < r.nThreads; t++) {
      if (status[t] !== READY || !r.enabled(t)) continue;
      const n = r.choices(t);
      if (n === 0) {
        if (asleep(sleep, t, -1)) continue;
        this.pickTid = t;
        this.pickChoice = -1;
        return true;
      }
      for (let v = 0; v < n; v++) {
        if (asleep(sleep, t, v)) continue;
        this.pickTid = t;
        this.pickChoice = v;
        return true;
      }
    }
    // Only waits are left. An await is a read that blocks its thread if false (an assume): run one
    // that is false now, so its race with the write it waits for is seen and reversed.
    for (let t = 0; t < r.nThreads; t++) {
      if (r.status[t] !== READY || r.pendingKind(t) !== 'await' || asleep(sleep, t, -1)) continue;
      this.pickTid = t;
      this.pickChoice = -1;
      return true;
    }
    return false;
  }

  /** The branches left at depth d, created if need be. */
  private altsOf(d: number): WNode[] {
    let a = this.alts.get(d);
    if (a === null) {
      a = [];
      this.alts.set(d, a);
    }
    return a;
  }

  /** Every value of a choose is a branch of the depth where it ran. */
  private addChoices(d: number, ev: Ev, n: number): void {
    for (let v = 0; v < n; v++) {
      if (v === ev.choice) continue;
      const alt = this.pendingEv(ev.tid, v);
      if (this.alts.get(d)?.some((c) => sameStep(this.pool.ev(c), alt))) continue;
      if (
        this.explored.get(d).some((e) => sameStep(e, alt)) ||
        this.sleep.get(d).some((e) => sameStep(e, alt))
      )
        continue;
      this.altsOf(d).push(this.pool.leaf(alt));
      this.wakeupNodes++;
    }
    if (this.wakeupNodes > this.peakWakeupNodes) this.peakWakeupNodes = this.wakeupNodes;
  }

  /**
   * Race e_i ⋖ e_j found: schedule v = notdep(e_i, E).e_j from depth i, unless a sleeping step
   * already covers it (optimal) or the branches there have one of v's initials (source).
   */
  private reverse(i: number, j: number, pend: Ev | null): void {
    if (i < this.prefix.length) return;
    const log = this.ctx.runner.log;
    const hb = this.hb;
    const end = j >= 0 ? j : hb.length;
    const nx = hb.notDep(i, end);
    // A fresh array: cheaper than emptying one (`length = 0` gives its room back).
    const v: Ev[] = [];
    for (let k = 0; k < nx; k++) v.push(log.at(hb.nd(k)) as Ev);
    // notdep(e_i)'s steps read what they read before; e_j may not (event.ts `reversed`), unless
    // the model says no step's keys depend on what it reads.
    const last = j >= 0 ? (log.at(j) as Ev) : (pend as Ev);
    v.push(this.ctx.runner.inst.options.fixedFootprints ? last : reversed(log.at(i) as Ev, last));
    // Most races are covered already; the steps of v a tree or branch does keep outlive this
    // execution, as the shared Ev objects (canonV).
    this.v = v;
    this.vj = j;
    if (this.mode === 'optimal') {
      const pre = prefixMasks(v, this.ctx.runner.nThreads, true);
      for (const s of this.sleep.get(i)) if (weakInitial(s, v, undefined, pre)) return;
      this.insert(i, v, pre);
      return;
    }
    // source-DPOR: the initials of v are its steps with no dependent step before them in v; none
    // may be a thread already explored or scheduled at depth i.
    const cur = log.tid[i];
    const alts = this.alts.get(i);
    const explored = this.explored.get(i);
    const sleep = this.sleep.get(i);
    const pool = this.pool;
    let pick = -1;
    for (let k = 0; k < v.length; k++) {
      const x = v[k];
      let first = !x.unknown || k === 0;
      for (let y = 0; y < k && first; y++) if (v[y].tid === x.tid || dependent(v[y], x)) first = false;
      if (!first) continue;
      const tid = x.tid;
      if (tid === cur) return;
      if (alts !== null) for (const c of alts) if (pool.ev(c).tid === tid) return;
      for (const e of explored) if (e.tid === tid) return;
      if (pick < 0 && !sleep.some((s) => sameStep(s, x))) pick = k;
    }
    if (pick >= 0) {
      const ev = this.canonV(pick);
      this.altsOf(i).push(pool.leaf(ev));
      if (++this.wakeupNodes > this.peakWakeupNodes) this.peakWakeupNodes = this.wakeupNodes;
    }
  }

  /** For `insert`: v's last step is step j of the log (-1: a pending step). */
  private vj = -1;
  /** v[k] as the wakeup tree keeps it: notdep's steps and e_j, shared (canon). */
  private readonly canonV = (k: number): Ev => {
    const v = this.v;
    if (k < v.length - 1) return this.canon(this.hb.nd(k), v[k]);
    return this.vj >= 0 ? this.canon(this.vj, v[k]) : this.canonFree(v[k]);
  };

  /** The wakeup trees' nodes. */
  private pool = new WakeupPool();
  /** A pending step of thread tid with a given choice, one Ev for each (branches of a choose). */
  private pendings: Ev[][] = [];
  private pendingEv(tid: number, choice: number): Ev {
    const l = this.pendings[tid] ?? (this.pendings[tid] = []);
    return l[choice] ?? (l[choice] = pending(tid, choice));
  }
  /** Steps that are in no execution's log (a blocked thread's pending step): shared when equal. */
  private free: Ev[] = [];
  private canonFree(ev: Ev): Ev {
    for (const c of this.free) if (sameEv(c, ev)) return c;
    if (this.free.length < 256) this.free.push(ev);
    return ev;
  }

  /** One Ev per thread, step index and footprint, shared by every wakeup tree and sleep set. */
  private canonical: (Ev[] | undefined)[] = [];

  /**
   * The shared Ev equal to step x (thread, index in it, choice, label, kind, footprint): wakeup
   * trees hold steps of executions long gone, and most are the same step again.
   */
  private canon(x: number, ev: Ev): Ev {
    const key = this.hb.local(x) * this.ctx.runner.nThreads + ev.tid;
    const l = this.canonical[key];
    if (l === undefined) {
      while (this.canonical.length < key) this.canonical.push(undefined);
      this.canonical[key] = [ev];
      return ev;
    }
    for (let k = 0; k < l.length; k++) if (l[k] === ev || sameEv(l[k], ev)) return l[k];
    if (l.length < 8) l.push(ev);
    return ev;
  }

  /**
   * insert[E](v, B) into the wakeup tree of depth i. Its first child is the branch taken there now,
   * whose subtree is the tree of depth i+1, and so on down the stack: descend along the current
   * path while its step is a weak initial of what is left of v, then into the other branches.
   */
  private insert(i: number, v: readonly Ev[], pre: PrefixMasks): void {
    const log = this.ctx.runner.log;
    if (this.gone.length < v.length) this.gone = new Uint8Array(2 * v.length);
    const gone = this.gone;
    gone.fill(0, 0, v.length);
    let left = v.length;
    for (let d = i; ; d++) {
      const cur = log.at(d) as Ev;
      if (weakInitial(cur, v, gone, pre)) {
        if (remove(gone, cur.tid, pre)) left--;
        // The current step is a leaf while the next depth has not been reached.
        if (d + 1 >= this.depth || left === 0) return;
        continue;
      }
      const alts = this.altsOf(d);
      const pool = this.pool;
      let added = 0;
      let next = NIL;
      for (const c of alts)
        if (weakInitial(pool.ev(c), v, gone, pre)) {
          next = c;
          break;
        }
      if (next === NIL) {
        const rest = keep(v, gone, this.canonV);
        alts.push(pool.chain(rest));
        added = rest.length;
      } else {
        if (remove(gone, pool.ev(next).tid, pre)) left--;
        if (pool.child[next] !== NIL && left > 0)
          added = insertBelow(pool, next, v, gone, pre, left, this.canonV);
      }
      if (alts.length === 0) this.alts.set(d, null);
      this.wakeupNodes += added;
      if (this.wakeupNodes > this.peakWakeupNodes) this.peakWakeupNodes = this.wakeupNodes;
      return;
    }
  }

  /** Forget the subtree below depth d's branch (left over when an execution ended early). */
  private dropSub(d: number): void {
    const sub = this.sub.get(d);
    if (sub === null) return;
    for (const c of sub) this.wakeupNodes -= this.pool.releaseTree(c);
    this.sub.set(d, null);
  }

  private backtrack(): void {
    const log = this.ctx.runner.log;
    for (let d = this.depth - 1; d >= 0; d--) {
      const alts = this.alts.get(d);
      if (alts !== null && alts.length > 0) {
        const ev = this.canon(d, log.at(d) as Ev);
        this.sleep.set(d, this.sleep.get(d) === NO_EVS ? [ev] : [...this.sleep.get(d), ev]);
        this.explored.set(d, this.explored.get(d) === NO_EVS ? [ev] : [...this.explored.get(d), ev]);
        this.dropSub(d);
        this.depth = d + 1;
        this.diverge = d;
        return;
      }
      this.alts.set(d, null);
      this.dropSub(d);
      this.sleep.set(d, NO_EVS);
      this.explored.set(d, NO_EVS);
    }
    this.depth = 0;
    this.done = true;
  }
}

/** Depths at which the stack's slots are kept in arrays; deeper ones, in maps holding only what is set. */
const NEAR = 4096;

/**
 * Per-depth slots of the search stack. A long execution has most slots empty (no branch left, no
 * sleep set): past NEAR depths only the others take memory.
 */
class Slots<T> {
  private near: T[] = [];
  private far = new Map<number, T>();
  constructor(private readonly empty: T) {}
  get(d: number): T {
    const v = d < NEAR ? this.near[d] : this.far.get(d);
    return v === undefined ? this.empty : v;
  }
  set(d: number, v: T): void {
    if (d < NEAR) {
      const near = this.near;
      while (near.length < d) near.push(this.empty);
      near[d] = v;
    } else if (v === this.empty) this.far.delete(d);
    else this.far.set(d, v);
  }
}

function sameEv(a: Ev, b: Ev): boolean {
  return (
    a === b ||
    (a.tid === b.tid &&
      a.choice === b.choice &&
      a.label === b.label &&
      a.kind === b.kind &&
      a.mutex === b.mutex &&
      a.took === b.took &&
      a.released === b.released &&
      a.failed === b.failed &&
      sameKeys(a.reads, b.reads) &&
      sameKeys(a.writes, b.writes) &&
      sameKeys(a.adds, b.adds))
  );
}

function sameKeys(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function asleep(sleep: readonly Ev[], tid: number, choice: number): boolean {
  for (let i = 0; i < sleep.length; i++) if (sleep[i].tid === tid && sleep[i].choice === choice) return true;
  return false;
}
