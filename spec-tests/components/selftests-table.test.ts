/**
 * The table of "The kernel's own tests, replayed" (src/components/selftests-data.ts): every port of
 * the catalogue has its row, run for real, and a port that gives the wrong result, does not fail
 * under its mutation, or throws is marked rather than dropped.
 */
import { describe, expect, test } from 'vitest';
import {
  kernelFileUrl,
  selftestGroups,
  selftestRow,
  selftestSummary,
} from '../../src/components/selftests-data.ts';
import { CATALOGUE, caseTitle, type SelftestCase } from '../../src/selftests/index.ts';

const base = CATALOGUE[0];
/** A made-up port on top of a real one: its own file, result and runs. */
const fake = (over: Partial<SelftestCase>): SelftestCase => ({
  ...base,
  source: 'tools/testing/selftests/mm/fake.c',
  name: 'fake',
  ...over,
});

describe('selftests table', () => {
  test('every catalogue case has exactly one row, in its kernel file, with what the port gives', () => {
    const groups = selftestGroups();
    const rows = groups.flatMap((g) => g.rows);
    expect(rows.map((r) => r.title).sort()).toEqual(CATALOGUE.map(caseTitle).sort());
    for (const g of groups)
      for (const r of g.rows) expect(r.title.startsWith(g.source.split('/').pop()!)).toBe(true);
    expect(new Set(groups.map((g) => g.source)).size).toBe(groups.length);
    for (const c of CATALOGUE) {
      const r = rows.find((x) => x.title === caseTitle(c))!;
      expect(r.model.result).toBe(c.run().result);
      expect(r.mutation.run.result).toBe(c.run({ mutate: c.mutation }).result);
      expect(r.mutation.name).toBe(c.mutation);
    }
  });

  test('today every port gives the kernel result and fails under its mutation', () => {
    const s = selftestSummary(selftestGroups());
    expect(s).toEqual({
      cases: CATALOGUE.length,
      files: new Set(CATALOGUE.map((c) => c.source)).size,
      matching: CATALOGUE.length,
      failingUnderMutation: CATALOGUE.length,
    });
  });

  test('a model result that differs from the kernel is marked', () => {
    const r = selftestRow(fake({ expected: 'xfail' }));
    expect(r.model.result).toBe(base.expected);
    expect(r.matches).toBe(false);
    expect(selftestSummary(selftestGroups([base, fake({ expected: 'xfail' })])).matching).toBe(1);
  });

  test('a port that does not fail under its mutation is marked', () => {
    const same = fake({ run: () => ({ result: base.expected, detail: 'always' }) });
    const r = selftestRow(same);
    expect(r.matches).toBe(true);
    expect(r.mutation.fails).toBe(false);
  });

  test('a port that throws is shown as an error, not as a failure under its mutation', () => {
    const boom = fake({
      run: (o) => {
        if (o?.mutate) throw new Error('VM_BUG_ON');
        return { result: base.expected, detail: 'ok' };
      },
    });
    const r = selftestRow(boom);
    expect(r.mutation.run).toEqual({ result: 'error', detail: 'Error: VM_BUG_ON' });
    expect(r.mutation.fails).toBe(false);
  });

  test('ports are grouped by kernel file, each version the ports cite linked', () => {
    const groups = selftestGroups([
      base,
      fake({ at: 'v6.12' }),
      fake({ name: 'fake2', at: undefined }),
      fake({ name: 'fake3', at: 'v6.12' }),
    ]);
    expect(groups.map((g) => [g.source, g.rows.length])).toEqual([
      [base.source, 1],
      ['tools/testing/selftests/mm/fake.c', 3],
    ]);
    expect(groups[1].versions).toEqual([
      { at: 'v6.12', url: kernelFileUrl('tools/testing/selftests/mm/fake.c', 'v6.12') },
      { at: null, url: kernelFileUrl('tools/testing/selftests/mm/fake.c', null) },
    ]);
    expect(kernelFileUrl('tools/testing/selftests/mm/rmap.c', '1695841621d7')).toBe(
      'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/tools/testing/selftests/mm/rmap.c?id=1695841621d7',
    );
  });
});
