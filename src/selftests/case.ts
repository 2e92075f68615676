import type { SiteId } from '../sim/sites.ts';
import type { Era, Mutation } from '../sim/variants.ts';

/**
 * A kernel selftest case ported onto the simulator. One case is one (test string, setup) pair
 * of the kernel's own test program, expecting the outcome the kernel's test expects today.
 *
 * The ports are run three ways from the same catalogue (`src/selftests/index.ts`):
 * - vitest (`spec-tests/selftests/ports.test.ts`): each case gives `expected`, and each case
 *   gives something else under its `mutation` (a port that cannot fail proves nothing);
 * - the page "The kernel's own tests, replayed": a table built at build time from `CATALOGUE`;
 * - chapter blocks, which import a case's scenario through `mmspec` like any other.
 *
 * Layer: above src/sim (imports point down to sim and explorer only).
 */

/** What ksft prints for a case (tools/testing/selftests/kselftest.h). */
export type KsftResult = 'pass' | 'fail' | 'skip' | 'xfail';

export interface SelftestOutcome {
  readonly result: KsftResult;
  /** One line on why: what the test read back, or which check fired. */
  readonly detail: string;
}

export interface SelftestCase {
  /** The kernel file, e.g. 'tools/testing/selftests/mm/cow.c'. */
  readonly source: string;
  /** The test string exactly as the kernel's test prints it, e.g. 'Basic COW after fork()'. */
  readonly name: string;
  /** The kernel's setup for this run, e.g. 'base page', 'swapped out base page', 'PTE-mapped THP (64 kB)'. */
  readonly setup: string;
  /** What the kernel's test expects today (mainline), and so what the port must give. */
  readonly expected: KsftResult;
  /** What the model leaves out for this case; '' when nothing the test observes. */
  readonly leavesOut: string;
  /** The mutation (a buggy variant from variants.ts) under which this port must not give `expected`. */
  readonly mutation: Mutation;
  /** Era the case runs in; 'today' unless the case is about history. */
  readonly era?: Era;
  /**
   * Runs the case on the model (optionally mutated, or with one synchronisation site elided:
   * the necessity map) and reports what the kernel's test would print.
   */
  readonly run: (opts?: { readonly mutate?: Mutation; readonly elide?: SiteId }) => SelftestOutcome;
  /**
   * The torvalds/linux commit (or tag) the kernel test was read at, e.g. '1695841621d7'; the page
   * links the kernel file there. Without it the page links mainline and says the version is unknown.
   */
  readonly at?: string;
}

/** A case's id for test names and anchors: "<file basename>: <name> (<setup>)". */
export function caseTitle(c: Pick<SelftestCase, 'source' | 'name' | 'setup'>): string {
  return `${c.source.split('/').pop()}: ${c.name} (${c.setup})`;
}
