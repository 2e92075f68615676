/**
 * The simulator's rule scenarios (kernel-rules.md R1–R18; R8 has two, the LRU switch and the 2022
 * lock_page_memcg() placement; R16 has two, present and swap PTEs): each rule's correct model explored
 * exhaustively (Optimal DPOR), and its mutation's first counterexample. Goal: every holds check
 * under 1 s on one core. Each figure is the best of a few warm runs.
 */
import { explore } from '../../src/explorer/index.ts';
import { RULES, ruleModel } from '../../src/sim/rules.ts';

const RUNS = 3;

export default function run(): void {
  const rows: string[][] = [];
  for (const r of RULES) {
    const model = ruleModel(r, 'holds');
    explore(model); // warm-up: JIT
    let top = explore(model);
    for (let i = 1; i < RUNS; i++) {
      const x = explore(model);
      if (x.elapsedMs < top.elapsedMs) top = x;
    }
    const b = explore(ruleModel(r, 'breaks'));
    rows.push([
      r.id,
      top.verdict,
      String(top.counts.executions),
      String(top.counts.steps),
      `${(top.stepsPerSec / 1e3).toFixed(0)} k`,
      top.elapsedMs.toFixed(0),
      top.elapsedMs < 1000 ? 'yes' : 'NO',
      `${r.mutation}: ${b.verdict} (${b.counterexample?.assertion.split(' ')[0] ?? '-'}, ${b.elapsedMs.toFixed(0)} ms)`,
    ]);
  }
  const head = ['rule', 'holds check', 'executions', 'steps', 'steps/s', 'ms', '< 1 s', 'mutation'];
  console.log('\n## Simulator: rule scenarios, exhaustive (best of 3 warm runs, one core)\n');
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}
