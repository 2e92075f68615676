/**
 * Run in a child process by bench/sections/10-explorer.ts (issue 12, "flat memory per step"): one
 * execution of `steps` steps under Optimal DPOR, and the peak RSS it cost over the process's RSS
 * before it (Node's baseline, with the explorer loaded). Prints one JSON line.
 */
import { defineModel, explore, type ThreadBody } from '../../src/explorer/index.ts';
import type { Arr } from '../../src/explorer/model.ts';

/** Two threads, each `half` steps on its own cell, and one shared cell at both ends (a race). */
function* worker(own: Arr<number>, i: number, shared: Arr<number>, half: number): ThreadBody {
  yield 'take shared';
  shared.store(0, shared.load(0) + 1);
  for (let k = 0; k < half; k++) {
    yield 'own step';
    own.store(i, own.load(i) + 1);
  }
  yield 'put shared';
  shared.store(0, shared.load(0) + 1);
}

/** One execution of about `steps` steps. */
function long(steps: number) {
  const half = Math.floor(steps / 2) - 2;
  const model = defineModel(`long(${steps})`, (m) => {
    const own = m.array('own', 2, 0);
    const shared = m.array('shared', 1, 0);
    for (let i = 0; i < 2; i++) m.thread(`T${i}`, () => worker(own, i, shared, half));
  });
  return explore(model, { maxExecutions: 1, maxSteps: steps + 10 });
}

const steps = Number(process.argv[2] ?? 300_000);
const gc = (globalThis as { gc?: () => void }).gc;
// Warm the code paths on a short run (its peak stays under the baseline), then measure.
long(2000);
gc?.();
const base = process.memoryUsage().rss;
const r = long(steps);
// maxRSS is the process's peak: the warm-up's stayed below `base`, so this one is the long run's.
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    steps: r.counts.steps,
    elapsedMs: r.elapsedMs,
    baseRss: base,
    peakRss: peak,
    overBaseline: peak - base,
  }),
);
