/**
 * Shared by the bench sections: time an exploration (best of a few warm runs) and measure its peak
 * heap (a separate run). What each figure divides is stated where it is printed (`FIGURES`).
 */

import {
  Exploration,
  type ExploreOptions,
  type ExploreResult,
  explore,
  type Model,
} from '../src/explorer/index.ts';
import { warmUp } from './warm.ts';

const RUNS = 3;

/** `global.gc`, present when node runs with --expose-gc (`npm run bench` does). */
const gc = (globalThis as { gc?: () => void }).gc;

export const gcNote = gc
  ? 'global.gc() runs before each heap measurement (node --expose-gc)'
  : 'no global.gc (node without --expose-gc): heap figures include garbage left by earlier runs';

export interface Measured {
  /** The fastest of RUNS warm runs (after the warm-up: `warmUp`): counts and elapsedMs from it. */
  best: ExploreResult;
  /** Peak of process.memoryUsage().heapUsed, sampled between 5 ms slices, minus heapUsed before. */
  peakHeapBytes: number;
}

export function measure(model: () => Model, opts: ExploreOptions = {}): Measured {
  warmUp(() => explore(model(), opts));
  let best = explore(model(), opts);
  for (let i = 1; i < RUNS; i++) {
    const r = explore(model(), opts);
    if (r.elapsedMs < best.elapsedMs) best = r;
  }
  return { best, peakHeapBytes: peakHeap(model, opts) };
}

/**
 * Peak heap of one exploration, run apart from the timed ones (sampling slices it): after a gc,
 * heapUsed is sampled after every 5 ms slice and after the result is built. heapUsed counts
 * garbage not yet collected too, so this is an upper bound on the live heap the search needs.
 */
export function peakHeap(model: () => Model, opts: ExploreOptions = {}): number {
  const m = model();
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const ex = new Exploration(m, opts);
  while (!ex.done) {
    ex.runSlice(5);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  ex.result();
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return peak - base;
}

/** Per second of the exploration's own elapsed time (runSlice loops; excludes building the result). */
export function perSec(n: number, r: ExploreResult): number {
  return r.elapsedMs > 0 ? (n * 1000) / r.elapsedMs : 0;
}

export const M = (x: number) => `${(x / 1e6).toFixed(2)} M`;
export const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
export const pct = (part: number, whole: number) => `${whole > 0 ? ((100 * part) / whole).toFixed(0) : '0'}%`;

/** The throughput columns every table prints, in this order (FIGURES says what each divides). */
export const THROUGHPUT_HEAD = ['steps', 'new', 'replayed', 'replay ms', 'new/s', 'steps/s', 'executions/s'];

export function throughput(r: ExploreResult): string[] {
  const c = r.counts;
  return [
    String(c.steps),
    String(c.newSteps),
    `${c.replayedSteps} (${pct(c.replayedSteps, c.steps)})`,
    r.replayMs === undefined ? '-' : `${r.replayMs.toFixed(1)} (${pct(r.replayMs, r.elapsedMs)})`,
    M(perSec(c.newSteps, r)),
    M(perSec(c.steps, r)),
    perSec(c.executions, r).toFixed(0),
  ];
}

/** What the throughput and memory columns mean; printed under each table. */
export const FIGURES = [
  'steps = every step run (new + replayed); new = steps run for the first time (recorded, races',
  'checked); replayed = DPOR prefix steps re-run from the initial state without recording;',
  'replay ms = the part of the wall time spent re-running them (and its share of the wall time).',
  'new/s = new steps / wall time; steps/s = all steps / wall time; executions/s = executions / wall',
  "time; wall time (ms) = the exploration's elapsed time in its best of 3 warm runs (one core; warm:",
  'after runs for 300 ms, at least 1, at most 20).',
  'peak heap = max process.memoryUsage().heapUsed sampled after each 5 ms slice of a separate run,',
  `minus heapUsed before it; ${gcNote}.`,
];

export function table(rows: string[][], left = 2): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `| ${r.map((x, c) => (c < left ? x.padEnd(w[c]) : x.padStart(w[c]))).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${w.map((n, c) => (c < left ? `:${'-'.repeat(n + 1)}` : `${'-'.repeat(n + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}
