import type { Ev } from './event.ts';
import { type Outcome, type Runner, STOPPED } from './execution.ts';
import { EventLog, type EventSeq } from './log.ts';

/**
 * What every strategy shares: the runner that executes steps, and a sink for finished executions.
 * A strategy runs one execution per `next()` call, so the exploration can stop between any two.
 */
export interface SearchContext {
  readonly runner: Runner;
  /** Length bound: an execution longer than this ends as 'bound'. */
  readonly maxSteps: number;
  /** Record a finished execution. `events` are the steps in order. */
  finish(outcome: Outcome, events: EventSeq): void;
}

export interface Search {
  /** Run one execution. Returns false once there is nothing left to explore. */
  next(): boolean;
  /** True once there is nothing left to explore. */
  finished(): boolean;
  /** A rough estimate of the total number of executions (for progress), or NaN. */
  estimate(): number;
  /** Whether the search covers every interleaving (given no bound was hit). */
  readonly exhaustive: boolean;
  /** A short description for verdict texts. */
  readonly description: string;
}

/** The step a strategy asks for: a thread and, for a choose, the value. */
export interface Pick {
  tid: number;
  choice: number;
}

/**
 * Drive one execution with a picker; shared by naive, random and replay strategies. Ends when
 * every thread returned, none can run, or at the length bound.
 */
export function runWith(ctx: SearchContext, pick: (step: number) => Pick | null, events: Ev[]): Outcome {
  const r = ctx.runner;
  r.start();
  events.length = 0;
  for (;;) {
    if (r.allDone()) {
      r.checkFinals();
      return 'complete';
    }
    if (events.length >= ctx.maxSteps) return 'bound';
    const p = pick(events.length);
    if (p === null) return anyEnabled(r) ? 'sleep-blocked' : blockedOutcome(r, events);
    events.push(r.exec(p.tid, p.choice));
  }
}

export function anyEnabled(r: Runner): boolean {
  for (let t = 0; t < r.nThreads; t++) if (r.enabled(t)) return true;
  return false;
}

/**
 * No thread can run and some have not finished: a deadlock (a finding), unless a thread stopped on
 * an await that ran too early. An await that ran while false stands for a thread spinning until its
 * condition holds. If a later step wrote what the await read, the thread would have retried: that
 * execution stands for nothing real (the interleaving with the await after that write is explored
 * separately). If nothing it read changed, the await would still be false: the thread is stuck.
 */
export function blockedOutcome(r: Runner, events: EventSeq): Outcome {
  if (events instanceof EventLog) {
    // The same, read from the log without building steps.
    for (let t = 0; t < r.nThreads; t++) {
      if (r.status[t] !== STOPPED) continue;
      let i = events.length - 1;
      while (i >= 0 && events.tid[i] !== t) i--;
      for (let j = i + 1; j < events.length; j++) if (events.writesReadOf(j, i)) return 'await-blocked';
    }
    return 'deadlock';
  }
  for (let t = 0; t < r.nThreads; t++) {
    if (r.status[t] !== STOPPED) continue;
    let i = events.length - 1;
    while (i >= 0 && (events.at(i) as Ev).tid !== t) i--;
    const reads = (events.at(i) as Ev).reads;
    for (let j = i + 1; j < events.length; j++) {
      const e = events.at(j) as Ev;
      if (reads.some((k) => e.writes.includes(k) || e.adds.includes(k))) return 'await-blocked';
    }
  }
  return 'deadlock';
}
