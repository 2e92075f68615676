import type { Request } from '../../explorer/index.ts';

/**
 * An op: a generator that yields only scheduling points (labelled steps, lock requests, waits)
 * and returns its result. Ops compose with `yield*`, so the simulator's call graph is the
 * kernel's. Plain (non-generator) functions named after kernel functions run inside the step of
 * their caller: they are atomic, as under the lock their kernel counterpart needs.
 */
export type Op<T = void> = Generator<Request, T, number>;
