import { explore } from '../src/explorer/index.ts';
import { CATALOGUE, caseTitle } from '../src/selftests/index.ts';
import { RULES, type RuleScenario } from '../src/sim/rules.ts';
import { EXTRA_RULE_RACES, EXTRA_RULE_SCENARIOS } from '../src/sim/rules-extra.ts';
import { type ScenarioOptions, scenario } from '../src/sim/scenario.ts';
import { NECESSITY_SCENARIOS } from '../src/sim/scenarios-extra.ts';
import type { SiteId } from '../src/sim/sites.ts';
import type { Era } from '../src/sim/variants.ts';

/**
 * The scenarios of the necessity map (issue 14): every rule scenario's holds side (RULES,
 * EXTRA_RULE_SCENARIOS, EXTRA_RULE_RACES) in each era it applies to, with harms only, and every
 * ported kernel selftest (src/selftests CATALOGUE), and the map's own scenarios of a site's race
 * (src/sim/scenarios-extra.ts NECESSITY_SCENARIOS), harms only. Charge moving existed in eras
 * 2022 and 2023, so the rules about it (their scenario is in one of the two) run in both.
 */
export interface NecessityScenario {
  readonly key: string;
  readonly kind: 'rule' | 'selftest';
  readonly era: Era;
  /** Explore with `elide` (harms only), stopping at the first harm. */
  readonly run: (elide?: SiteId) => Outcome;
}

export interface Outcome {
  /** holds: no harm; harm: a check failed; misuse: the model refused (SimMisuse/ExplorerError); other: vacuous/bounded. */
  readonly verdict: 'holds' | 'harm' | 'misuse' | 'other';
  readonly harm?: string;
  readonly message?: string;
  readonly schedule?: string;
  /**
   * The counterexample's preemptions, minimised (explore's iterative preemption bounding): 0 means
   * the harm needs no race — the elision alone does it, in some serial order (often the site's
   * own assertion, e.g. a BUG_ON(!folio_test_locked())); more means it is reached through a race.
   */
  readonly preemptions?: number;
  readonly text: string;
}

const MOVING_ERAS: readonly Era[] = ['2022', '2023'];
/** The rules about charge moving (mem_cgroup_move_charge), which existed in both of MOVING_ERAS. */
const MOVING_RULES = new Set(['R7', 'R8']);

/** An exploration is cut off after this long (recorded as 'other: bounded'). */
const TIME_MS = 120_000;

function ruleRuns(r: RuleScenario): NecessityScenario[] {
  const era: Era = r.opts?.era ?? 'today';
  const eras = MOVING_RULES.has(r.id) ? MOVING_ERAS : [era];
  return eras.map((e) =>
    scenarioRun(`${r.id} ${r.title} [${r.mutation}] @${e}`, r.title, r.build, { ...r.opts, era: e }),
  );
}

/** One scenario in one era (`opts.era`), explored with guards off and the site elided. */
function scenarioRun(
  key: string,
  title: string,
  build: RuleScenario['build'],
  opts: ScenarioOptions & { era: Era },
): NecessityScenario {
  return {
    key,
    kind: 'rule',
    era: opts.era,
    run: (elide) => {
      try {
        const res = explore(scenario(title, build, { ...opts, guards: false, ...(elide ? { elide } : {}) }), {
          stopOnViolation: true,
          timeMs: TIME_MS,
        });
        if (res.verdict === 'holds') return { verdict: 'holds', text: res.text };
        // a deadlock here is a scenario thread left waiting for a state the elision never makes
        // (e.g. t.after('… freed')), not a harm: recorded as 'other'
        const v = res.violations.find((x) => x.kind !== 'deadlock');
        if (res.verdict === 'breaks' && v)
          return {
            verdict: 'harm',
            harm: v.assertion,
            message: v.message,
            schedule: v.schedule,
            preemptions: v.minimal ? v.preemptions : undefined,
            text: res.text,
          };
        return { verdict: 'other', message: res.counterexample?.message ?? res.text, text: res.text };
      } catch (e) {
        return { verdict: 'misuse', message: (e as Error).message.split('\n')[0], text: (e as Error).name };
      }
    },
  };
}

export function necessityScenarios(): NecessityScenario[] {
  const rules = [
    ...[...RULES, ...EXTRA_RULE_SCENARIOS, ...EXTRA_RULE_RACES].flatMap(ruleRuns),
    // the map's own scenarios: run like a rule's holds side (no mutation)
    ...NECESSITY_SCENARIOS.map((s) =>
      scenarioRun(`${s.id}: ${s.title} @${s.era}`, s.title, s.build, { era: s.era }),
    ),
  ];
  const selftests = CATALOGUE.map(
    (c): NecessityScenario => ({
      key: caseTitle(c),
      kind: 'selftest',
      era: c.era ?? 'today',
      run: (elide) => {
        try {
          const o = c.run(elide ? { elide } : {});
          return o.result === c.expected
            ? { verdict: 'holds', text: `${o.result}: ${o.detail}` }
            : {
                verdict: 'harm',
                harm: `ksft ${o.result} (expected ${c.expected})`,
                message: o.detail,
                text: o.result,
              };
        } catch (e) {
          return { verdict: 'misuse', message: (e as Error).message.split('\n')[0], text: (e as Error).name };
        }
      },
    }),
  );
  return [...rules, ...selftests];
}
