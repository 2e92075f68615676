/**
 * The simulator's rule scenarios (kernel-rules.md R1–R18, one each, R3 two (R3, R3b): `RULES`):
 * each rule's correct model explored exhaustively (Optimal DPOR, guards and harms checked), and its
 * mutated model with guards off: the harm's counterexample (preemptions), and whether serial runs
 * (naive, no preemption) break — they must not, unless the rule is `sequential`. Goals (issue 12):
 * every holds check ≤ 150 ms (warm, best of 3) and ≥ 1 M new steps/s on the slowest. Each holds
 * timing is the best of a few warm runs, with new and replayed steps apart and peak heap from a
 * separate run (bench/measure.ts). The extra scenarios and races: bench/sections/25-browser.ts.
 */
import { explore } from '../../src/explorer/index.ts';
import { counterexampleOf } from '../../src/sim/results.ts';
import { RULES, ruleModel } from '../../src/sim/rules.ts';
import { FIGURES, M, MB, measure, THROUGHPUT_HEAD, throughput } from '../measure.ts';

export default function run(): void {
  const rows: string[][] = [];
  let slowest: {
    id: string;
    ms: number;
    replayMs: number;
    newSteps: number;
    replayed: number;
    steps: number;
  } | null = null;
  for (const r of RULES) {
    const model = ruleModel(r, 'holds');
    const { best: top, peakHeapBytes } = measure(() => model);
    const c = top.counts;
    if (slowest === null || top.elapsedMs > slowest.ms)
      slowest = {
        id: r.id,
        ms: top.elapsedMs,
        replayMs: top.replayMs ?? 0,
        newSteps: c.newSteps,
        replayed: c.replayedSteps,
        steps: c.steps,
      };
    const breaks = ruleModel(r, 'breaks');
    explore(breaks); // warm-up
    const b = explore(breaks);
    const serial = explore(breaks, { strategy: 'naive', preemptionBound: 0 });
    const harm = counterexampleOf(b, r.harm);
    rows.push([
      r.id,
      `${r.harm}${r.sequential ? ' (sequential)' : ''}`,
      r.guard,
      `${top.verdict}${top.text.includes('exhaustive') ? '' : ' (bounded)'}`,
      String(c.executions),
      top.elapsedMs.toFixed(0),
      top.elapsedMs <= 150 ? 'yes' : 'NO',
      ...throughput(top),
      MB(peakHeapBytes),
      serial.verdict === 'breaks' ? 'breaks' : 'no break',
      harm ? `${b.verdict}, ${harm.preemptions}` : `${b.verdict}, harm NOT reached`,
      String(b.counts.executions),
      b.elapsedMs.toFixed(0),
      r.mutation,
    ]);
  }
  const head = [
    'rule',
    'harm',
    'guard',
    'holds',
    'executions',
    'ms',
    '≤ 150 ms',
    ...THROUGHPUT_HEAD,
    'peak heap',
    'serial (no preemption)',
    'breaks, preemptions',
    'executions',
    'ms',
    'mutation',
  ];
  console.log('\n## Simulator: rule scenarios (holds: best of 3 warm runs; breaks: guards off; one core)\n');
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nThe holds columns (executions … peak heap) are the correct model's exhaustive run.`);
  console.log(FIGURES.join('\n'));
  if (slowest !== null)
    console.log(
      `\nslowest holds check: ${slowest.id}, ${slowest.ms.toFixed(0)} ms (goal ≤ 150 ms); ${M((slowest.newSteps / slowest.ms) * 1e3)} new steps/s (goal ≥ 1 M), ${M((slowest.steps / slowest.ms) * 1e3)} steps/s with the ${((100 * slowest.replayed) / slowest.steps).toFixed(0)}% replayed; replaying took ${slowest.replayMs.toFixed(1)} ms (${M((slowest.replayed / slowest.replayMs) * 1e3)} replayed steps/s), the rest ${(slowest.ms - slowest.replayMs).toFixed(1)} ms (${M((slowest.newSteps / (slowest.ms - slowest.replayMs)) * 1e3)} new steps/s)`,
    );
  if (slowest !== null && slowest.replayMs > 0) {
    // The floor replay sets: a thread is a generator, which cannot be copied, so every execution
    // re-runs its prefix. Running every step of the check (new and replayed) as cheaply as a
    // replayed one, with no recording, race analysis or checks at all, would still take this long.
    const budget = slowest.newSteps / 1e3; // ms for 1 M new steps/s
    const floor = (slowest.steps * slowest.replayMs) / slowest.replayed;
    console.log(
      `1 M new steps/s on ${slowest.id} means the whole check in ≤ ${budget.toFixed(1)} ms; running its ${slowest.steps} steps at the replay rate alone, nothing recorded or checked, takes ${floor.toFixed(1)} ms (${(floor / budget).toFixed(2)}× the budget before any recording, race analysis or check)`,
    );
  }
}
