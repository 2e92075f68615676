/**
 * Messages between the page (controller.ts) and the runner worker (run.worker.ts). The page posts
 * one ToWorker job with a MessagePort transferred beside it; every FromWorker message comes back
 * on that port, which only the runner holds. The page never listens to the worker itself, where
 * block code could post.
 */
import type { Counterexample } from '../../explorer/index.ts';
import type { Replay, Variant } from './capture.ts';

export interface ToWorker {
  code: string;
  /** Replay one exploration of the block along a schedule (a shared link). */
  replay?: Replay | null;
  /** Build every scenario of the block under this kernel variant (the era toggle). */
  variant?: Variant | null;
}

export interface ExploreSummary {
  /** The exploration's number in the block, from 0. */
  index: number;
  model: string;
  strategy: string;
  verdict: string;
  text: string;
  counts: Record<string, number>;
  /** The whole counterexample (steps, changes): the trace view draws and inspects it. */
  counterexample: Counterexample | null;
}

export interface BlockErrorInfo {
  name: string;
  message: string;
  /** 1-based line/column in the block, when known. */
  at: { line: number; column: number } | null;
}

export type FromWorker =
  | { type: 'log'; level: string; text: string }
  | { type: 'progress'; model: string; executions: number; perSec: number }
  | { type: 'explore'; result: ExploreSummary }
  | { type: 'done'; status: 'pass' | 'fail' | 'error'; ms: number; error?: BlockErrorInfo };
