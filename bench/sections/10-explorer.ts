/**
 * The explorer on the DPOR classics (explorer.md §2): executions, explored/optimal against the
 * exact trace counts, and throughput on one core, new and replayed steps apart (issue 12). Each
 * timing is the best of a few warm runs; peak heap comes from a separate run (bench/measure.ts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  filesystem,
  indexer,
  lastzero,
  philosophers,
  readers,
  traceCounts,
} from '../../src/explorer/classics.ts';
import { Exploration, type Model } from '../../src/explorer/index.ts';
import { FIGURES, gcNote, M, MB, measure, pct, THROUGHPUT_HEAD, table, throughput } from '../measure.ts';

export default function run(): void {
  const rows: string[][] = [];
  const cases: Array<[string, () => Model, number]> = [
    ['lastzero(10)', () => lastzero(10), traceCounts.lastzero(10)],
    ['lastzero(11)', () => lastzero(11), traceCounts.lastzero(11)],
    ['lastzero(12)', () => lastzero(12), traceCounts.lastzero(12)],
    ['indexer(15)', () => indexer(15), traceCounts.indexer(15)],
    ['filesystem(19)', () => filesystem(19), traceCounts.filesystem(19)],
    ['philosophers(6)', () => philosophers(6), traceCounts.philosophers(6)],
  ];
  let steps = 0;
  let newSteps = 0;
  let ms = 0;
  let lzNew = 0;
  let lzMs = 0;
  for (const [name, make, optimal] of cases)
    for (const strategy of ['optimal', 'source'] as const) {
      const { best: r, peakHeapBytes } = measure(make, { strategy });
      const c = r.counts;
      if (strategy === 'optimal') {
        steps += c.steps;
        newSteps += c.newSteps;
        ms += r.elapsedMs;
        if (name.startsWith('lastzero')) {
          lzNew += c.newSteps;
          lzMs += r.elapsedMs;
        }
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
    `\noptimal DPOR overall: ${rate(newSteps)} new steps/s, ${rate(steps)} steps/s counting replayed prefixes (${pct(steps - newSteps, steps)} of them); lastzero(10..12): ${M((lzNew / lzMs) * 1e3)} new steps/s (goal ≥ 1 M)`,
  );
  readersHeap();
  longExecution();
}

/**
 * readers(N): Optimal DPOR's wakeup trees come to hold about one node per trace still to run;
 * source-DPOR needs none there. Peak heap of one run each (bench/measure.ts peakHeap's sampling).
 */
function readersHeap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rows: string[][] = [];
  const peaks: Record<string, number> = {};
  for (const n of [16, 17, 18, 19, 20])
    for (const strategy of ['optimal', 'source'] as const) {
      gc?.();
      // The heap and the typed arrays' buffers: the search keeps its structures in both.
      const used = () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      const base = used();
      let peak = base;
      let live = base;
      const ex = new Exploration(readers(n), { strategy });
      for (let slice = 1; !ex.done; slice++) {
        ex.runSlice(5);
        peak = Math.max(peak, used());
        // Every 40th slice (~0.2 s), what is live: after a full gc.
        if (gc && slice % 40 === 0) {
          gc();
          live = Math.max(live, used());
        }
      }
      const r = ex.result();
      peak = Math.max(peak, used()) - base;
      live -= base;
      peaks[`${n}${strategy}`] = peak;
      peaks[`${n}${strategy}live`] = live;
      rows.push([
        `readers(${n})`,
        strategy,
        String(r.counts.executions),
        String(traceCounts.readers(n)),
        String(r.peakWakeupNodes ?? ''),
        MB(peak),
        gc ? MB(live) : '',
        r.elapsedMs.toFixed(0),
      ]);
    }
  console.log('\n## Explorer: search frontier on readers(N) (one run each)\n');
  console.log(
    table([
      [
        'benchmark',
        'strategy',
        'executions',
        'traces',
        'wakeup nodes (peak)',
        'peak heap',
        'live (peak)',
        'ms',
      ],
      ...rows,
    ]),
  );
  console.log(
    `\npeak heap = max heapUsed + arrayBuffers (typed arrays) sampled after each 5 ms slice, minus the same before (${gcNote}); it counts garbage not yet collected. live = the same sampled after a gc() every 40th slice (what the search holds). wakeup nodes = the most wakeup-tree nodes held at once.`,
  );
  console.log(
    `readers(20): optimal/source peak heap ${(peaks['20optimal'] / peaks['20source']).toFixed(2)} (goal ≤ 2); live: ${MB(peaks['20optimallive'])} / ${MB(peaks['20sourcelive'])}`,
  );
}

/**
 * One execution of 300 000 steps, in a child process so that its peak RSS is its own: the RSS
 * it costs over the process's RSS before it (node and the explorer loaded, one short run done).
 * Run five times: the peak depends on when the garbage collector runs (young-generation growth
 * under load), so the spread is printed with the median.
 */
function longExecution(): void {
  const script = fileURLToPath(new URL('../child/long-execution.ts', import.meta.url));
  const runs: Array<{ steps: number; elapsedMs: number; overBaseline: number }> = [];
  for (let k = 0; k < 5; k++) {
    const out = spawnSync(process.execPath, [...process.execArgv, script, '300000'], { encoding: 'utf8' });
    if (out.status !== 0) {
      console.log(`
one long execution: the child failed: ${out.stderr.trim().split('\n')[0]}`);
      return;
    }
    runs.push(JSON.parse(out.stdout.trim().split('\n').pop() as string));
  }
  const by = runs.map((r) => r.overBaseline).sort((a, b) => a - b);
  const med = by[2];
  const steps = runs[0].steps;
  const fastest = Math.min(...runs.map((r) => r.elapsedMs));
  console.log(
    `\none execution of ${steps} steps (2 threads, optimal DPOR; bench/child/long-execution.ts), 5 runs: peak RSS over the baseline median ${MB(med)} (${(med / steps).toFixed(0)} B/step), min ${MB(by[0])}, max ${MB(by[4])} (goal ≤ 60 MB); ${M((steps / fastest) * 1e3)} steps/s`,
  );
}
