import { dependent, type Ev } from './event.ts';
import type { Outcome } from './execution.ts';
import { type Pick, runWith, type Search, type SearchContext } from './search.ts';

/**
 * Naive enumeration: every interleaving, no reduction. The oracle the DPOR tests compare against,
 * and, with a preemption bound, the search that finds counterexamples with the fewest preemptions
 * (iterative context bounding, Musuvathi & Qadeer PLDI 2007).
 */
interface Level {
  options: Pick[];
  idx: number;
  /** Preemptions spent before this step. */
  pre: number;
  /** The thread that ran the previous step, and whether it could run on here. */
  prev: number;
  prevRunnable: boolean;
}

export class Naive implements Search {
  readonly description: string;
  private stack: Level[] = [];
  private done = false;
  private events: Ev[] = [];
  private executions = 0;
  /** True once some branch was cut by the preemption bound. */
  boundCut = false;
  /** Lexicographic normal forms of the maximal executions: their count is the number of traces. */
  readonly normalForms: Set<string> | null;

  constructor(
    private readonly ctx: SearchContext,
    private readonly preemptionBound = Number.POSITIVE_INFINITY,
    countTraces = false,
  ) {
    this.description =
      preemptionBound === Number.POSITIVE_INFINITY
        ? 'naive enumeration'
        : `naive, ≤ ${preemptionBound} preemptions`;
    this.normalForms = countTraces ? new Set() : null;
  }

  /** Exhaustive unless the preemption bound actually cut a branch. */
  get exhaustive(): boolean {
    return !this.boundCut;
  }

  finished(): boolean {
    return this.done;
  }

  estimate(): number {
    if (this.done) return this.executions;
    let est = 1;
    for (const l of this.stack) est *= l.options.length;
    return Math.max(est, this.executions + 1);
  }

  next(): boolean {
    if (this.done) return false;
    const r = this.ctx.runner;
    const outcome: Outcome = runWith(
      this.ctx,
      (d) => {
        if (d < this.stack.length) {
          const l = this.stack[d];
          return l.options[l.idx];
        }
        const prev = d > 0 ? this.events[d - 1].tid : -1;
        const up = this.stack[d - 1];
        const pre = up ? up.pre + (up.prevRunnable && up.options[up.idx].tid !== up.prev ? 1 : 0) : 0;
        const options: Pick[] = [];
        const prevRunnable = prev >= 0 && r.enabled(prev);
        for (let t = 0; t < r.nThreads; t++) {
          if (!r.enabled(t)) continue;
          if (prevRunnable && t !== prev && pre >= this.preemptionBound) {
            this.boundCut = true;
            continue;
          }
          const n = r.choices(t);
          if (n === 0) options.push({ tid: t, choice: -1 });
          else for (let v = 0; v < n; v++) options.push({ tid: t, choice: v });
        }
        if (prevRunnable) options.sort((a, b) => (a.tid === prev ? -1 : 0) - (b.tid === prev ? -1 : 0));
        if (options.length === 0) return null;
        this.stack.push({ options, idx: 0, pre, prev, prevRunnable });
        return options[0];
      },
      this.events,
    );
    this.executions++;
    if (this.normalForms && (outcome === 'complete' || outcome === 'deadlock'))
      this.normalForms.add(normalForm(this.events));
    this.ctx.finish(outcome, this.events);
    // Backtrack.
    this.stack.length = Math.min(this.stack.length, this.events.length);
    for (let d = this.stack.length - 1; d >= 0; d--) {
      const l = this.stack[d];
      if (++l.idx < l.options.length) {
        this.stack.length = d + 1;
        return true;
      }
      this.stack.pop();
    }
    this.done = true;
    return true;
  }
}

/**
 * The lexicographic normal form of an execution's trace: repeatedly take, among the steps whose
 * dependent predecessors are all taken, the one of the lowest thread. Two executions have the
 * same normal form iff they are the same Mazurkiewicz trace.
 */
export function normalForm(events: readonly Ev[]): string {
  const n = events.length;
  const taken = new Uint8Array(n);
  const out: string[] = [];
  for (let round = 0; round < n; round++) {
    let best = -1;
    for (let x = 0; x < n; x++) {
      if (taken[x]) continue;
      let ready = true;
      for (let y = 0; y < x && ready; y++) if (!taken[y] && dependent(events[y], events[x])) ready = false;
      if (ready && (best < 0 || events[x].tid < events[best].tid)) best = x;
    }
    taken[best] = 1;
    const e = events[best];
    out.push(e.choice >= 0 ? `${e.tid}:${e.choice}` : `${e.tid}`);
  }
  return out.join(',');
}
