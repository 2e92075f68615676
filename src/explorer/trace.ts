import type { Ev } from './event.ts';
import { HappensBefore } from './hb.ts';

/**
 * Counterexample traces: what a reader (or the swimlane picture) needs of each step.
 */

export interface Change {
  key: string;
  before: unknown;
  after: unknown;
}

export interface TraceStep {
  /** Position in the counterexample, from 0. */
  index: number;
  thread: string;
  label: string;
  kind: Ev['kind'];
  /** For a choose, the value taken. */
  choice?: number;
  reads: string[];
  /** The values this step read (for keys it also wrote, the value before the write). */
  readValues: Record<string, unknown>;
  writes: string[];
  /** Fields this step changed, with old and new values (the world diff). */
  changes: Change[];
  /** Earlier steps of other threads this one races with: the orderings that made the run. */
  racesWith: number[];
  /** A switch away from a thread that could have gone on. */
  preemption: boolean;
  /** The await ran while its condition was false: the thread stops here. */
  failed?: boolean;
  /** For lock and unlock steps: the mutex. */
  mutex?: string;
}

/** Keys whose names start with '@' are the explorer's own (check footprints); traces hide them. */
export function visibleKeys(keys: readonly number[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) if (!names[k].startsWith('@')) out.push(names[k]);
  return out;
}

/** Immediate races of each step with earlier steps of other threads, by happens-before. */
export function racePartners(events: readonly Ev[], nThreads: number, nKeys: number): number[][] {
  const hb = new HappensBefore(nThreads);
  hb.reset(nKeys);
  const out: number[][] = [];
  for (const e of events) {
    const n = hb.append(e, true);
    const races: number[] = [];
    for (let k = 0; k < n; k++) races.push(hb.race(k));
    out.push(races.sort((a, b) => a - b));
  }
  return out;
}

/**
 * The events that happen before (or are) step `upto`: the causal past of a violation. Everything
 * else can be dropped and the violation still happens (its check's footprint orders every step
 * that could change its value).
 */
export function causalSlice(events: readonly Ev[], upto: number, nThreads: number, nKeys: number): number[] {
  const hb = new HappensBefore(nThreads);
  hb.reset(nKeys);
  for (const e of events.slice(0, upto + 1)) hb.append(e, false);
  const keep: number[] = [];
  for (let i = 0; i <= upto; i++) if (i === upto || hb.hb(i, upto)) keep.push(i);
  return keep;
}

/**
 * Reorder the steps of one trace to switch threads as rarely as possible (dejafu-style
 * simplification): keep running the current thread while its next step is ready, otherwise take
 * the earliest ready step. A reordering of independent steps only: the same trace.
 */
export function fewerSwitches(events: readonly Ev[], nThreads: number, nKeys: number): number[] {
  const hb = new HappensBefore(nThreads);
  hb.reset(nKeys);
  for (const e of events) hb.append(e, false);
  const n = events.length;
  const taken = new Uint8Array(n);
  const order: number[] = [];
  let cur = n > 0 ? events[0].tid : -1;
  const ready = (x: number) => {
    for (let y = 0; y < x; y++) if (!taken[y] && hb.hb(y, x)) return false;
    return true;
  };
  while (order.length < n) {
    let pick = -1;
    for (let x = 0; x < n; x++)
      if (!taken[x] && events[x].tid === cur) {
        if (ready(x)) pick = x;
        break;
      }
    if (pick < 0)
      for (let x = 0; x < n; x++)
        if (!taken[x] && ready(x)) {
          pick = x;
          break;
        }
    taken[pick] = 1;
    order.push(pick);
    cur = events[pick].tid;
  }
  return order;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return '∅';
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** A plain-text swimlane: one column per thread, one row per step, changes beside it. */
export function formatTrace(steps: readonly TraceStep[], threads: readonly string[]): string {
  const used = threads.filter((t) => steps.some((s) => s.thread === t));
  const cells = steps.map((s) => {
    const label = s.choice !== undefined ? `${s.label} → ${s.choice}` : s.label;
    return `${s.preemption ? '» ' : ''}${label}${s.failed ? ' (waits)' : ''}`;
  });
  const width = Math.max(12, ...used.map((t) => t.length), ...cells.map((c) => c.length)) + 2;
  const lines: string[] = [];
  const change = (s: TraceStep) => {
    const ch = s.changes.map((c) => `${c.key}: ${show(c.before)} → ${show(c.after)}`).join(', ');
    const race = s.racesWith.length ? `  (after #${s.racesWith.join(', #')})` : '';
    return ch + race;
  };
  if (width * used.length > 100) {
    // Long kernel labels: one column, the lane as an indent and the thread named, changes below.
    const name = Math.max(...used.map((t) => t.length));
    steps.forEach((s, i) => {
      const indent = '  '.repeat(used.indexOf(s.thread));
      lines.push(`  ${String(i).padStart(2)}  ${indent}${s.thread.padEnd(name)}  ${cells[i]}`);
      const ch = change(s);
      if (ch) lines.push(`      ${indent}${' '.repeat(name)}    ${ch}`);
    });
    return lines.join('\n');
  }
  const pad = (s: string) => s.padEnd(width);
  lines.push(`  #   ${used.map(pad).join('')}changes`);
  steps.forEach((s, i) => {
    const cols = used.map((t) => pad(t === s.thread ? cells[i] : '·'));
    lines.push(`  ${String(i).padStart(2)}  ${cols.join('')}${change(s)}`);
  });
  return lines.join('\n');
}
