import { describe, expect, test } from 'vitest';
import { explore, invariantId } from '../../src/sim/index.ts';
import { RULES, ruleModel } from '../../src/sim/rules.ts';

/**
 * For every rule: the correct model holds in every interleaving and reaches the racy window
 * (its `sometimes` witness), and the rule's mutation yields a counterexample that violates the
 * invariant kernel-rules.md names for it and replays from its schedule string.
 */
describe.each(RULES.map((r) => [r.id, r] as const))('%s', (_id, r) => {
  test(`${r.id} holds exhaustively and reaches its racy window: ${r.title}`, () => {
    const res = explore(ruleModel(r, 'holds'));
    expect(res.text).toMatch(/^holds: exhaustive/);
    expect(res.verdict).toBe('holds');
    expect(Object.values(res.witnesses).every((w) => w.reached)).toBe(true);
  });

  test(`${r.id} breaks with ${r.mutation}: ${r.breaks} violated, and the counterexample replays`, () => {
    const model = ruleModel(r, 'breaks');
    const res = explore(model);
    expect(res.verdict).toBe('breaks');
    const cex = res.counterexample;
    expect(cex).not.toBeNull();
    expect(invariantId(cex!.assertion)).toBe(r.breaks);
    const again = explore(model, { strategy: 'replay', schedule: cex!.schedule });
    expect(again.verdict).toBe('breaks');
    expect(invariantId(again.counterexample!.assertion)).toBe(r.breaks);
  });
});
