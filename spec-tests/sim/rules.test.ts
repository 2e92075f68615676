import { describe, expect, test } from 'vitest';
import { counterexampleOf, explore, MUTATIONS, unreached, violated } from '../../src/sim/index.ts';
import { RULES, ruleModel } from '../../src/sim/rules.ts';
import { EXTRA_RULE_RACES, EXTRA_RULE_SCENARIOS } from '../../src/sim/rules-extra.ts';

/**
 * For every rule (kernel-rules.md; DESIGN.md "Guards and harms"):
 * - the correct model holds in every interleaving, guards and harms checked, and reaches its
 *   racy window (every `sometimes` witness);
 * - serial runs of the mutated model (no preemption at all) do not break: the harm needs the
 *   race — unless the rule is `sequential`, whose reason says why not;
 * - the full search of the mutated model, guards off, breaks on the rule's `harm`, with at least
 *   one preemption (or none, for a sequential rule), and the counterexample replays;
 * - with guards on, the kernel-style assertion `guard` fires.
 */
describe.each([
  ...RULES.map((r, i) => [`${r.id}${RULES.findIndex((x) => x.id === r.id) === i ? '' : ' (2)'}`, r] as const),
  // further models of a rule (src/sim/rules-extra.ts), tested the same way
  ...EXTRA_RULE_SCENARIOS.map((r) => [`${r.id} extra: ${r.mutation}`, r] as const),
  // the same mutation reached by another reader (src/sim/rules-extra.ts EXTRA_RULE_RACES)
  ...EXTRA_RULE_RACES.map((r) => [`${r.id} race: ${r.title}`, r] as const),
])('%s', (_id, r) => {
  test(`${r.id} holds exhaustively and reaches its racy window: ${r.title}`, () => {
    const res = explore(ruleModel(r, 'holds'));
    expect(res.text).toMatch(/^holds: exhaustive/);
    expect(res.verdict).toBe('holds');
    expect(unreached(res)).toEqual([]);
  });

  test(`${r.id} serial runs of ${r.mutation} ${r.sequential ? 'break too (sequential)' : 'do not break'}`, () => {
    const res = explore(ruleModel(r, 'breaks'), { strategy: 'naive', preemptionBound: 0 });
    if (r.sequential) {
      expect(r.sequential.length).toBeGreaterThan(20);
      expect(violated(res)).toContain(r.harm);
    } else {
      expect(res.verdict).not.toBe('breaks');
      expect(violated(res)).toEqual([]);
    }
  });

  test(`${r.id} breaks with ${r.mutation} on its harm ${r.harm}, through the race, and replays`, () => {
    const model = ruleModel(r, 'breaks');
    const res = explore(model);
    expect(res.verdict).toBe('breaks');
    const cex = counterexampleOf(res, r.harm);
    expect(cex, `violated: ${violated(res).join(', ')}`).not.toBeNull();
    if (!r.sequential) expect(cex!.preemptions).toBeGreaterThan(0);
    const again = explore(model, { strategy: 'replay', schedule: cex!.schedule });
    expect(again.verdict).toBe('breaks');
    expect(counterexampleOf(again, r.harm)?.schedule).toBe(cex!.schedule);
    expect(MUTATIONS[r.mutation].rule).toBe(r.id.replace(/b$/, ''));
    expect(MUTATIONS[r.mutation].breaks).toBe(r.harm);
  });

  test(`${r.id} with guards on, ${r.guard} fires`, () => {
    const res = explore(ruleModel(r, 'breaks', { guards: true }));
    expect(violated(res)).toContain(r.guard);
  });
});

test('every rule scenario names a harm that is not a guard-only check, and sequential rules say why', () => {
  for (const r of [...RULES, ...EXTRA_RULE_SCENARIOS]) {
    expect(r.harm).toMatch(/^I\d+b?$/);
    if (r.sequential !== undefined) expect(r.sequential).not.toBe('');
  }
});

test('issue 10: at most three rules are sequential (R5, R11, R14); the extra models are not rule scenarios', () => {
  expect(RULES.filter((r) => r.sequential !== undefined).map((r) => r.id)).toEqual(['R5', 'R11', 'R14']);
  expect(RULES.filter((r) => r.id === 'R16').map((r) => r.mutation)).toEqual([
    'swp_exclusive_read_before_ptl',
  ]);
  for (const r of EXTRA_RULE_SCENARIOS) expect(RULES.some((x) => x.mutation === r.mutation)).toBe(false);
});

test('move_charge_without_trylock (never kernel code) is not a rule scenario; its race is an extra one (R7 in era 2023)', () => {
  expect(MUTATIONS.move_charge_without_trylock.existed).toBe('hypothetical');
  expect(RULES.some((r) => r.mutation === 'move_charge_without_trylock')).toBe(false);
  expect(EXTRA_RULE_SCENARIOS.some((r) => r.mutation === 'move_charge_without_trylock')).toBe(true);
});
