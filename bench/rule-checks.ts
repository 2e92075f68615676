/**
 * Every rule's holds check (RULES, then the extra scenarios and races) and its timing, best of 3
 * warm runs of explore(): shared by bench/sections/25-browser.ts (in Node) and the bundle it loads
 * into chromium (bench/browser-entry.ts), so both sides time exactly the same thing.
 */
import { explore } from '../src/explorer/index.ts';
import { RULES, ruleModel } from '../src/sim/rules.ts';
import { EXTRA_RULE_RACES, EXTRA_RULE_SCENARIOS } from '../src/sim/rules-extra.ts';
import { warmUp } from './warm.ts';

export const ALL = [...RULES, ...EXTRA_RULE_SCENARIOS, ...EXTRA_RULE_RACES];

export function bestOf3(i: number): { ms: number; executions: number } {
  const model = ruleModel(ALL[i], 'holds');
  warmUp(() => explore(model));
  let ms = Number.POSITIVE_INFINITY;
  let executions = 0;
  for (let k = 0; k < 3; k++) {
    const r = explore(model);
    ms = Math.min(ms, r.elapsedMs);
    executions = r.counts.executions;
  }
  return { ms, executions };
}

/** One run of check i, nothing run before it in this realm: what a reader's first Run gets (cold JIT). */
export function coldOnce(i: number): { ms: number; executions: number } {
  const r = explore(ruleModel(ALL[i], 'holds'));
  return { ms: r.elapsedMs, executions: r.counts.executions };
}
