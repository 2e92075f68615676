/** The bundle bench/sections/25-browser.ts loads into chromium: the rules and the explorer. */
import { explore } from '../src/explorer/index.ts';
import { RULES, ruleModel } from '../src/sim/rules.ts';
import { EXTRA_RULE_RACES, EXTRA_RULE_SCENARIOS } from '../src/sim/rules-extra.ts';

const ALL = [...RULES, ...EXTRA_RULE_SCENARIOS, ...EXTRA_RULE_RACES];

(globalThis as { mmspecBench?: unknown }).mmspecBench = {
  best(i: number): { ms: number; executions: number } {
    const model = ruleModel(ALL[i], 'holds');
    explore(model); // warm-up
    let ms = Number.POSITIVE_INFINITY;
    let executions = 0;
    for (let k = 0; k < 3; k++) {
      const r = explore(model);
      ms = Math.min(ms, r.elapsedMs);
      executions = r.counts.executions;
    }
    return { ms, executions };
  },
};
