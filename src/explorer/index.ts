/**
 * mmspec/explorer — a deterministic, stateless model checker for generator threads.
 * Knows nothing of the kernel: see README "The explorer" for the model API.
 */
export { bug, ExplorerError, Violation } from './errors.ts';
export {
  type CheckResult,
  type Counterexample,
  type Counts,
  Exploration,
  type ExploreOptions,
  type ExploreResult,
  explore,
  type Progress,
  type Strategy,
} from './explore.ts';
export { Memory } from './memory.ts';
export {
  type AcquireRequest,
  Arr,
  type AwaitRequest,
  Cell,
  type ChooseRequest,
  choose,
  defineModel,
  type Model,
  ModelBuilder,
  Mutex,
  type ReleaseRequest,
  type Request,
  type Scope,
  type ThreadBody,
  until,
} from './model.ts';
export { decodeSchedule, encodeSchedule, SCHEDULE_VERSION } from './schedule.ts';
export { type Change, formatTrace, type TraceStep } from './trace.ts';
