import type { Counterexample, ExploreResult } from '../explorer/index.ts';
import { type InvariantId, invariantId } from './invariants/names.ts';

/**
 * Reading an exploration's result the way a chapter states it: which witnesses were never
 * reached, which invariants were violated, and the counterexample of one of them.
 *
 * ```ts
 * expect(unreached(result)).toEqual([]);          // every racy window was entered
 * expect(violated(result)).toContain('I4');       // the harm
 * console.log(counterexampleOf(result, 'I4')!.text);
 * ```
 */

/** The witnesses (`sometimes` checks) no interleaving reached: `[]` when the race was run. */
export function unreached(r: ExploreResult): string[] {
  return Object.entries(r.witnesses)
    .filter(([, w]) => !w.reached)
    .map(([name]) => name);
}

/** The invariants (I1–I20) the result's counterexamples violate, in the order found, once each. */
export function violated(r: ExploreResult): InvariantId[] {
  const out: InvariantId[] = [];
  for (const v of r.violations) {
    const id = invariantId(v.assertion);
    if (id !== null && !out.includes(id)) out.push(id);
  }
  return out;
}

/** The counterexample violating invariant `id` (the fewest preemptions), or null. */
export function counterexampleOf(r: ExploreResult, id: InvariantId): Counterexample | null {
  let best: Counterexample | null = null;
  for (const v of r.violations)
    if (invariantId(v.assertion) === id && (best === null || v.preemptions < best.preemptions)) best = v;
  return best;
}
