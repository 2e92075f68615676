import type { Ev } from './event.ts';
import { type Pick, runWith, type Search, type SearchContext } from './search.ts';

/**
 * Sampling strategies for scenarios too large to exhaust (explorer.md §4.10). Each run is
 * reproducible from (seed, run index): the result reports both with every counterexample.
 */

/** mulberry32: small, fast, good enough for scheduling. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runSeed(seed: number, run: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(run + 1, 0xc2b2ae35)) >>> 0;
}

function enabledPicks(ctx: SearchContext, rnd: () => number): Pick[] {
  const r = ctx.runner;
  const out: Pick[] = [];
  for (let t = 0; t < r.nThreads; t++) {
    if (!r.enabled(t)) continue;
    const n = r.choices(t);
    out.push({ tid: t, choice: n > 0 ? Math.floor(rnd() * n) : -1 });
  }
  return out;
}

/** Uniform random walk: at each step, a uniformly chosen enabled thread. */
export class RandomWalk implements Search {
  readonly exhaustive = false;
  readonly description: string;
  private run = 0;
  private events: Ev[] = [];
  constructor(
    private readonly ctx: SearchContext,
    private readonly runs: number,
    readonly seed: number,
  ) {
    this.description = `random walk (seed ${seed}, ${runs} runs)`;
  }
  finished(): boolean {
    return this.run >= this.runs;
  }
  estimate(): number {
    return this.runs;
  }
  next(): boolean {
    if (this.run >= this.runs) return false;
    const rnd = prng(runSeed(this.seed, this.run++));
    const outcome = runWith(
      this.ctx,
      () => {
        const ps = enabledPicks(this.ctx, rnd);
        return ps.length ? ps[Math.floor(rnd() * ps.length)] : null;
      },
      this.events,
    );
    this.ctx.finish(outcome, this.events);
    return true;
  }
}

/**
 * PCT (Burckhardt et al., ASPLOS 2010): random thread priorities, and d-1 random points at which the
 * running thread drops to the lowest priority. Finds any bug of depth d with probability at least
 * 1/(n·k^(d-1)) per run (n threads, k steps). k is learned from the longest run so far.
 */
export class Pct implements Search {
  readonly exhaustive = false;
  readonly description: string;
  private run = 0;
  private k = 0;
  private events: Ev[] = [];
  constructor(
    private readonly ctx: SearchContext,
    private readonly runs: number,
    readonly seed: number,
    readonly depth: number,
  ) {
    this.description = `PCT d=${depth} (seed ${seed}, ${runs} runs)`;
  }
  finished(): boolean {
    return this.run >= this.runs;
  }
  estimate(): number {
    return this.runs;
  }
  /** The per-run lower bound on finding a depth-d bug, with n threads and k steps. */
  guarantee(n: number): number {
    return 1 / (n * Math.max(1, this.k) ** (this.depth - 1));
  }
  next(): boolean {
    if (this.run >= this.runs) return false;
    const rnd = prng(runSeed(this.seed, this.run++));
    const k = Math.max(this.k, 1);
    let prio: number[] | null = null;
    const change: number[] = [];
    for (let i = 1; i < this.depth; i++) change.push(1 + Math.floor(rnd() * k));
    const outcome = runWith(
      this.ctx,
      (step) => {
        const r = this.ctx.runner;
        if (prio === null) {
          // Distinct priorities depth..depth+n-1, shuffled; change points get 1..depth-1.
          prio = Array.from({ length: r.nThreads }, (_, i) => this.depth + i);
          for (let i = prio.length - 1; i > 0; i--) {
            const j = Math.floor(rnd() * (i + 1));
            [prio[i], prio[j]] = [prio[j], prio[i]];
          }
        }
        const ps = enabledPicks(this.ctx, rnd);
        if (ps.length === 0) return null;
        let best = ps[0];
        for (const p of ps) if (prio[p.tid] > prio[best.tid]) best = p;
        const at = change.indexOf(step);
        if (at >= 0) {
          prio[best.tid] = at + 1 - this.depth; // below every initial priority
          best = ps[0];
          for (const p of ps) if (prio[p.tid] > prio[best.tid]) best = p;
        }
        return best;
      },
      this.events,
    );
    this.k = Math.max(this.k, this.events.length);
    this.ctx.finish(outcome, this.events);
    return true;
  }
}
