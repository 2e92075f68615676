import { describe, expect, test } from 'vitest';
import { counterexampleOf, explore, unreached, violated } from '../../src/sim/index.ts';
import { GUARDS } from '../../src/sim/invariants/names.ts';
import { scenario } from '../../src/sim/scenario.ts';
import { NECESSITY_SCENARIOS } from '../../src/sim/scenarios-extra.ts';
import { SITES } from '../../src/sim/sites.ts';

/**
 * The necessity map's own scenarios (src/sim/scenarios-extra.ts, issue 14): each holds in every
 * interleaving and reaches its racy window; with its site elided (guards off) it breaks on its
 * harm through a race (at least one preemption), and serial runs do not break.
 */
describe.each(NECESSITY_SCENARIOS.map((s) => [s.id, s] as const))('%s', (_id, s) => {
  test(`holds exhaustively and reaches its racy window: ${s.title}`, () => {
    const res = explore(scenario(s.title, s.build, { era: s.era }));
    expect(res.text).toMatch(/^holds: exhaustive/);
    expect(unreached(res)).toEqual([]);
  });

  test(`serial runs with ${s.site} elided do not break`, () => {
    const res = explore(scenario(s.title, s.build, { era: s.era, guards: false, elide: s.site }), {
      strategy: 'naive',
      preemptionBound: 0,
    });
    expect(violated(res)).toEqual([]);
  });

  test(`with ${s.site} elided it breaks on ${s.harm}, through a race`, () => {
    expect(s.site in SITES).toBe(true);
    expect(GUARDS.has(s.harm)).toBe(false);
    const res = explore(scenario(s.title, s.build, { era: s.era, guards: false, elide: s.site }));
    expect(res.verdict).toBe('breaks');
    const cex = counterexampleOf(res, s.harm);
    expect(cex, `violated: ${violated(res).join(', ')}`).not.toBeNull();
    expect(cex!.preemptions).toBeGreaterThan(0);
  });
});

test('each scenario names a distinct site', () => {
  const sites = NECESSITY_SCENARIOS.map((s) => s.site);
  expect(new Set(sites).size).toBe(sites.length);
});
