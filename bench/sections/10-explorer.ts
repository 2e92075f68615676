/**
 * The explorer on the DPOR classics (explorer.md §2): executions, explored/optimal against the
 * exact trace counts, and throughput on one core. Each figure is the best of a few warm runs.
 */
import { filesystem, indexer, lastzero, philosophers, traceCounts } from '../../src/explorer/classics.ts';
import { explore, type Model } from '../../src/explorer/index.ts';

const RUNS = 3;

function best(model: () => Model, strategy: 'optimal' | 'source') {
  explore(model(), { strategy }); // warm-up: JIT
  let top = explore(model(), { strategy });
  for (let i = 1; i < RUNS; i++) {
    const r = explore(model(), { strategy });
    if (r.elapsedMs < top.elapsedMs) top = r;
  }
  return top;
}

export default function run(): void {
  const rows: string[][] = [];
  const cases: Array<[string, () => Model, number]> = [
    ['lastzero(10)', () => lastzero(10), traceCounts.lastzero(10)],
    ['indexer(15)', () => indexer(15), traceCounts.indexer(15)],
    ['filesystem(19)', () => filesystem(19), traceCounts.filesystem(19)],
    ['philosophers(6)', () => philosophers(6), traceCounts.philosophers(6)],
  ];
  let steps = 0;
  let ms = 0;
  for (const [name, make, optimal] of cases)
    for (const strategy of ['optimal', 'source'] as const) {
      const r = best(make, strategy);
      if (strategy === 'optimal') {
        steps += r.counts.steps;
        ms += r.elapsedMs;
      }
      rows.push([
        name,
        strategy,
        String(r.counts.executions),
        String(optimal),
        (r.counts.executions / optimal).toFixed(2),
        String(r.counts.steps),
        `${(r.stepsPerSec / 1e6).toFixed(2)} M`,
        r.executionsPerSec.toFixed(0),
        r.elapsedMs.toFixed(1),
      ]);
    }
  const head = [
    'benchmark',
    'strategy',
    'executions',
    'traces',
    'explored/optimal',
    'steps',
    'steps/s',
    'executions/s',
    'ms',
  ];
  console.log('\n## Explorer: DPOR classics (best of 3 warm runs, one core)\n');
  console.log(table([head, ...rows]));
  console.log(`\noptimal DPOR overall: ${(((steps / ms) * 1e3) / 1e6).toFixed(2)} M steps/s (goal ≥ 1 M)`);
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `| ${r.map((x, c) => (c < 2 ? x.padEnd(w[c]) : x.padStart(w[c]))).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${w.map((n, c) => (c < 2 ? `:${'-'.repeat(n + 1)}` : `${'-'.repeat(n + 1)}:`)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}
