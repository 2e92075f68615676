/**
 * The rows of "The kernel's own tests, replayed" (content/selftests.mdx), computed at build from
 * the selftest catalogue (src/selftests/index.ts): every case is run on the model, once as it is
 * and once under its mutation, so the table shows what the ports give today, not what someone
 * wrote down. Nothing here is per case: a port added to CATALOGUE gets its row.
 *
 * A row whose model result differs from the kernel's expected one is marked (`matches: false`), as
 * is a port that still gives the expected result under its mutation (`mutation.fails: false`) and
 * a run that throws (result 'error'): the table shows them rather than failing the build; the
 * vitest ports test (spec-tests/selftests/ports.test.ts) fails on each.
 */
import { slug } from '../live/shared/extract.ts';
import {
  CATALOGUE,
  caseTitle,
  type KsftResult,
  type SelftestCase,
  type SelftestOutcome,
} from '../selftests/index.ts';
import { MUTATIONS, type Mutation, type MutationInfo } from '../sim/variants.ts';

/** What a run gave: ksft's result, or 'error' when the port threw. */
export interface Run {
  readonly result: KsftResult | 'error';
  readonly detail: string;
}

export interface SelftestRow {
  /** caseTitle(): "<file>: <test> (<setup>)". */
  readonly title: string;
  readonly name: string;
  readonly setup: string;
  readonly expected: KsftResult;
  readonly model: Run;
  /** The model gives the kernel's expected result. */
  readonly matches: boolean;
  readonly mutation: {
    readonly name: Mutation;
    readonly rule: string;
    readonly existed: MutationInfo['existed'];
    readonly run: Run;
    /** Under the mutation the port gives something other than the expected result (and does not throw). */
    readonly fails: boolean;
  };
  readonly leavesOut: string;
}

export interface KernelVersion {
  /** The commit or tag the port cites; null when the case records none. */
  readonly at: string | null;
  readonly url: string;
}

export interface SelftestGroup {
  /** The kernel file, e.g. 'tools/testing/selftests/mm/rmap.c'. */
  readonly source: string;
  readonly id: string;
  /** The versions its cases were read at, in catalogue order, each linking the file there. */
  readonly versions: readonly KernelVersion[];
  readonly rows: readonly SelftestRow[];
}

const TREE = 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/';

/** The kernel file on git.kernel.org (torvalds/linux), at `at` or, without one, mainline. */
export function kernelFileUrl(source: string, at: string | null): string {
  return `${TREE}${source}${at ? `?id=${encodeURIComponent(at)}` : ''}`;
}

function runCase(c: SelftestCase, mutate?: Mutation): Run {
  try {
    const out: SelftestOutcome = mutate ? c.run({ mutate }) : c.run();
    return { result: out.result, detail: out.detail };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { result: 'error', detail: `${err.name}: ${err.message}` };
  }
}

export function selftestRow(c: SelftestCase): SelftestRow {
  const model = runCase(c);
  const mutated = runCase(c, c.mutation);
  const info = MUTATIONS[c.mutation];
  return {
    title: caseTitle(c),
    name: c.name,
    setup: c.setup,
    expected: c.expected,
    model,
    matches: model.result === c.expected,
    mutation: {
      name: c.mutation,
      rule: info.rule,
      existed: info.existed,
      run: mutated,
      fails: mutated.result !== 'error' && mutated.result !== c.expected,
    },
    leavesOut: c.leavesOut,
  };
}

/** Every case of `cases`, run, grouped by kernel file in the order the files first appear. */
export function selftestGroups(cases: readonly SelftestCase[] = CATALOGUE): SelftestGroup[] {
  const groups = new Map<string, { cases: SelftestCase[] }>();
  for (const c of cases) {
    const g = groups.get(c.source) ?? { cases: [] };
    g.cases.push(c);
    groups.set(c.source, g);
  }
  return [...groups].map(([source, g]) => {
    const ats = [...new Set(g.cases.map((c) => c.at ?? null))];
    return {
      source,
      id: `st-${slug(source.split('/').pop() ?? source)}`,
      versions: ats.map((at) => ({ at, url: kernelFileUrl(source, at) })),
      rows: g.cases.map(selftestRow),
    };
  });
}

export interface SelftestSummary {
  readonly cases: number;
  readonly files: number;
  readonly matching: number;
  readonly failingUnderMutation: number;
}

export function selftestSummary(groups: readonly SelftestGroup[]): SelftestSummary {
  const rows = groups.flatMap((g) => g.rows);
  return {
    cases: rows.length,
    files: groups.length,
    matching: rows.filter((r) => r.matches).length,
    failingUnderMutation: rows.filter((r) => r.mutation.fails).length,
  };
}
