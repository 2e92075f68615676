import { ExplorerError } from './errors.ts';
import { dependent, type Ev, pending, reversed, sameStep } from './event.ts';
import { type Outcome, READY } from './execution.ts';
import { HappensBefore } from './hb.ts';
import { anyEnabled, blockedOutcome, type Pick, type Search, type SearchContext } from './search.ts';
import { insert, prefixMasks, type WNode, weakInitial } from './wakeup.ts';

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

interface Node {
  /** The step taken from this node in the current execution. */
  ev: Ev;
  /** Sleep set: steps whose exploration from here is already covered. */
  sleep: Ev[];
  /** Wakeup tree: children are the branches left, the first one being explored. */
  wut: WNode;
  explored: Ev[];
  /** Part of a forced prefix: no alternatives are explored here. */
  frozen: boolean;
}

export type DporMode = 'optimal' | 'source';

export class Dpor implements Search {
  readonly exhaustive = true;
  readonly description: string;
  private stack: Node[] = [];
  /** Depth from which the next execution's steps are new (races before it were analysed). */
  private diverge = 0;
  private done = false;
  private hb: HappensBefore;
  private events: Ev[] = [];
  private races: number[] = [];
  private executions = 0;
  /** Wakeup-tree branches that could not be taken (a disabled thread): should stay 0. */
  wakeupMisses = 0;

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
    for (const n of this.stack) est *= n.explored.length + n.wut.children.length;
    return Math.max(est, this.executions + 1);
  }

  private execute(): void {
    const { runner: r, maxSteps } = this.ctx;
    r.start();
    if (this.executions === 0) {
      this.hb = new HappensBefore(r.nThreads);
      this.hb.reset(r.mem.keyNames.length);
    } else {
      // The prefix replayed below is the previous execution's: rewind its happens-before to there
      // instead of recomputing it.
      this.hb.truncate(this.diverge);
    }
    const hb = this.hb;
    const events = this.events;
    events.length = this.diverge;
    let sleep: Ev[] = [];
    let wut: WNode = { ev: pending(-1, -1), children: [] };
    let outcome: Outcome;
    for (let d = 0; ; d++) {
      if (r.allDone()) {
        r.checkFinals();
        outcome = 'complete';
        break;
      }
      if (d >= maxSteps) {
        outcome = 'bound';
        break;
      }
      let node: Node;
      if (d < this.stack.length) node = this.stack[d];
      else {
        node = { ev: pending(-1, -1), sleep, wut, explored: [], frozen: d < this.prefix.length };
        this.stack.push(node);
      }
      const branch = this.branch(node, d);
      if (branch === null) {
        this.stack.pop();
        outcome = anyEnabled(r) ? 'sleep-blocked' : blockedOutcome(r, events);
        break;
      }
      let ev: Ev;
      if (d < this.diverge) {
        // Replaying the prefix: same step, same footprint, happens-before already known.
        ev = node.ev;
        r.replay(ev.tid, ev.choice);
      } else {
        const nChoices = r.choices(branch.ev.tid);
        ev = r.exec(branch.ev.tid, branch.ev.choice);
        branch.ev = ev;
        node.ev = ev;
        events.push(ev);
        this.races.length = 0;
        hb.append(ev, this.races);
        for (const i of this.races) this.reverse(i, d, null);
        if (nChoices > 0 && !node.frozen) this.addChoices(node, ev, nChoices);
      }
      if (node.sleep.length === 0) sleep = [];
      else {
        sleep = [];
        for (const q of node.sleep) if (!dependent(q, ev)) sleep.push(q);
      }
      wut = branch;
    }
    if (outcome === 'deadlock' || outcome === 'await-blocked') {
      // The blocked threads' pending steps race with what blocks them: reversing those races is
      // how the other ways into (and around) the deadlock are found.
      for (let t = 0; t < r.nThreads; t++) {
        if (r.status[t] !== READY) continue;
        const pend = r.blockedFootprint(t);
        this.races.length = 0;
        hb.racesOfPending(pend, this.races);
        for (const i of this.races) this.reverse(i, -1, pend);
      }
    }
    this.ctx.finish(outcome, events);
  }

  /** The branch to take at node d: the replayed one, the wakeup tree's next, or a free pick. */
  private branch(node: Node, d: number): WNode | null {
    const r = this.ctx.runner;
    const kids = node.wut.children;
    while (kids.length > 0) {
      const c = kids[0];
      const t = c.ev.tid;
      if (r.status[t] === READY && (r.pendingKind(t) === 'await' || r.enabled(t))) {
        if (c.ev.choice < 0 && r.choices(t) > 0) c.ev = pending(t, 0);
        return c;
      }
      if (d < this.diverge)
        throw new ExplorerError(
          `replay diverged: thread '${r.names[t]}' cannot run at step ${d}; is the model deterministic?`,
        );
      kids.shift();
      this.wakeupMisses++;
    }
    if (d < this.prefix.length) {
      const p = this.prefix[d];
      if (!r.enabled(p.tid))
        throw new ExplorerError(`schedule prefix: thread '${r.names[p.tid]}' cannot run at step ${d}`);
      const c: WNode = { ev: pending(p.tid, p.choice), children: [] };
      kids.push(c);
      return c;
    }
    for (let t = 0; t < r.nThreads; t++) {
      if (!r.enabled(t)) continue;
      const n = r.choices(t);
      if (n === 0) {
        if (asleep(node.sleep, t, -1)) continue;
        const c: WNode = { ev: pending(t, -1), children: [] };
        kids.push(c);
        return c;
      }
      for (let v = 0; v < n; v++) {
        if (asleep(node.sleep, t, v)) continue;
        const c: WNode = { ev: pending(t, v), children: [] };
        kids.push(c);
        return c;
      }
    }
    // Only waits are left. An await is a read that blocks its thread if false (an assume): run one
    // that is false now, so its race with the write it waits for is seen and reversed.
    for (let t = 0; t < r.nThreads; t++) {
      if (r.status[t] !== READY || r.pendingKind(t) !== 'await' || asleep(node.sleep, t, -1)) continue;
      const c: WNode = { ev: pending(t, -1), children: [] };
      kids.push(c);
      return c;
    }
    return null;
  }

  /** Every value of a choose is a branch of the node where it ran. */
  private addChoices(node: Node, ev: Ev, n: number): void {
    for (let v = 0; v < n; v++) {
      if (v === ev.choice) continue;
      const alt = pending(ev.tid, v);
      if (node.wut.children.some((c) => sameStep(c.ev, alt))) continue;
      if (node.explored.some((e) => sameStep(e, alt)) || node.sleep.some((e) => sameStep(e, alt))) continue;
      node.wut.children.push({ ev: alt, children: [] });
    }
  }

  /**
   * Race e_i ⋖ e_j found: schedule v = notdep(e_i, E).e_j from the node before e_i, unless a
   * sleeping step already covers it (optimal) or the backtrack set has one of v's initials (source).
   */
  private reverse(i: number, j: number, pend: Ev | null): void {
    const node = this.stack[i];
    if (node.frozen) return;
    const hb = this.hb;
    const end = j >= 0 ? j : hb.length;
    const v: Ev[] = [];
    for (const x of hb.notDep(i, end)) v.push(this.events[x]);
    // notdep(e_i)'s steps read what they read before; e_j may not (event.ts `reversed`), unless
    // the model says no step's keys depend on what it reads.
    const last = j >= 0 ? this.events[j] : (pend as Ev);
    v.push(this.ctx.runner.inst.options.fixedFootprints ? last : reversed(this.events[i], last));
    if (this.mode === 'optimal') {
      if (node.sleep.length > 0) {
        const pre = prefixMasks(v);
        for (const s of node.sleep) if (weakInitial(s, v, undefined, pre)) return;
      }
      insert(node.wut, v);
      return;
    }
    // source-DPOR: the initials of v are its steps with no dependent step before them in v.
    const initials: Ev[] = [];
    for (let k = 0; k < v.length; k++) {
      const x = v[k];
      if (initials.some((y) => y.tid === x.tid)) continue;
      let first = !x.unknown || k === 0;
      for (let y = 0; y < k && first; y++) if (v[y].tid === x.tid || dependent(v[y], x)) first = false;
      if (first) initials.push(x);
    }
    const has = (tid: number) =>
      node.wut.children.some((c) => c.ev.tid === tid) || node.explored.some((e) => e.tid === tid);
    if (initials.some((x) => has(x.tid))) return;
    const pick = initials.find((x) => !node.sleep.some((s) => sameStep(s, x)));
    if (pick) node.wut.children.push({ ev: pick, children: [] });
  }

  private backtrack(): void {
    for (let d = this.stack.length - 1; d >= 0; d--) {
      const node = this.stack[d];
      node.wut.children.shift();
      node.sleep.push(node.ev);
      node.explored.push(node.ev);
      if (node.wut.children.length > 0) {
        this.stack.length = d + 1;
        this.diverge = d;
        return;
      }
      this.stack.pop();
    }
    this.done = true;
  }
}

function asleep(sleep: readonly Ev[], tid: number, choice: number): boolean {
  for (let i = 0; i < sleep.length; i++) if (sleep[i].tid === tid && sleep[i].choice === choice) return true;
  return false;
}
