/** Messages between the page (controller.ts) and the runner worker (run.worker.ts). */

export interface ToWorker {
  code: string;
}

export interface ExploreSummary {
  model: string;
  verdict: string;
  text: string;
  counts: Record<string, number>;
  counterexample: { schedule: string; text: string } | null;
}

export interface BlockErrorInfo {
  name: string;
  message: string;
  /** 1-based line/column in the block, when known. */
  at: { line: number; column: number } | null;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'log'; level: string; text: string }
  | { type: 'progress'; model: string; executions: number; perSec: number }
  | { type: 'explore'; result: ExploreSummary }
  | { type: 'done'; status: 'pass' | 'fail' | 'error'; ms: number; error?: BlockErrorInfo };
