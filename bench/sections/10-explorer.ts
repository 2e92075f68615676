/**
 * The explorer on the DPOR classics (explorer.md §2): executions, explored/optimal against the
 * exact trace counts, and throughput on one core, new and replayed steps apart (issue 12). Each
 * timing is the best of a few warm runs; peak heap comes from a separate run (bench/measure.ts).
 */
import { filesystem, indexer, lastzero, philosophers, traceCounts } from '../../src/explorer/classics.ts';
import type { Model } from '../../src/explorer/index.ts';
import { FIGURES, M, MB, measure, pct, THROUGHPUT_HEAD, table, throughput } from '../measure.ts';

export default function run(): void {
  const rows: string[][] = [];
  const cases: Array<[string, () => Model, number]> = [
    ['lastzero(10)', () => lastzero(10), traceCounts.lastzero(10)],
    ['indexer(15)', () => indexer(15), traceCounts.indexer(15)],
    ['filesystem(19)', () => filesystem(19), traceCounts.filesystem(19)],
    ['philosophers(6)', () => philosophers(6), traceCounts.philosophers(6)],
  ];
  let steps = 0;
  let newSteps = 0;
  let ms = 0;
  for (const [name, make, optimal] of cases)
    for (const strategy of ['optimal', 'source'] as const) {
      const { best: r, peakHeapBytes } = measure(make, { strategy });
      const c = r.counts;
      if (strategy === 'optimal') {
        steps += c.steps;
        newSteps += c.newSteps;
        ms += r.elapsedMs;
      }
      rows.push([
        name,
        strategy,
        String(c.executions),
        String(optimal),
        (c.executions / optimal).toFixed(2),
        ...throughput(r),
        r.elapsedMs.toFixed(1),
        MB(peakHeapBytes),
      ]);
    }
  const head = [
    'benchmark',
    'strategy',
    'executions',
    'traces',
    'explored/optimal',
    ...THROUGHPUT_HEAD,
    'ms',
    'peak heap',
  ];
  console.log('\n## Explorer: DPOR classics (best of 3 warm runs, one core)\n');
  console.log(table([head, ...rows]));
  console.log(`\n${FIGURES.join('\n')}`);
  const rate = (n: number) => M((n / ms) * 1e3);
  console.log(
    `\noptimal DPOR overall: ${rate(newSteps)} new steps/s, ${rate(steps)} steps/s counting replayed prefixes (${pct(steps - newSteps, steps)} of them; goal ≥ 1 M steps/s)`,
  );
}
