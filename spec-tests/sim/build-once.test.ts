import { describe, expect, test } from 'vitest';
import { bug } from '../../src/explorer/index.ts';
import { explore, RULES, ruleModel, scenario } from '../../src/sim/index.ts';

/**
 * Issue 12 item 1: a scenario is built once per exploration (objects, keys, invariant closures,
 * ghost counters, threads) and reset per execution — the first initial state restored, the few
 * fields kept outside memory reset. Verdicts and DPOR counts are those of a rebuild per
 * execution (spec-tests/sim/rules.test.ts and the chapters check them); these tests pin down the
 * reuse and each reset.
 */
describe('a scenario is built once per exploration and reset per execution', () => {
  test('setup runs once per exploration, however many executions it has', () => {
    let built = 0;
    const s = scenario('two loads of a forked page', (k) => {
      built++;
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('P', (t) => t.store(P, 0, 2));
      k.thread('C', (t) => t.store(C, 0, 3));
    });
    const r = explore(s);
    expect(r.verdict).toBe('holds');
    expect(r.counts.executions).toBeGreaterThan(1);
    expect(built).toBe(1);
    explore(s);
    expect(built).toBe(2); // a new exploration builds its own
  });

  test("a task's allocation counter restarts every execution (each execution's COW copy is the task's first folio)", () => {
    // Both stores COW-copy the shared folio in every execution; each thread may allocate one
    // folio (alloc: 1), so a counter carried over from the previous execution would be refused.
    const s = scenario('COW in every execution', (k) => {
      const P = k.process('P', { pages: 1 });
      k.anonFolio(P, 0, { content: 1 });
      const C = k.forked(P, 'C');
      k.thread('P', (t) => t.store(P, 0, 2), { alloc: 1 });
      k.thread('C', (t) => t.store(C, 0, 3), { alloc: 1 });
    });
    const r = explore(s);
    expect(r.counts.executions).toBeGreaterThan(1);
    expect(r.verdict).toBe('holds');
  });

  test("lockdep's held-lock stacks restart every execution (a thread that stopped holding a lock holds nothing in the next)", () => {
    // T1 takes the folio lock and stops (a bug) without releasing it; T2's read of the lock races
    // it, so there are two executions. Lockdep stacks carried over would see T1 take folio_lock
    // twice in the second one: a false I18.
    const s = scenario('stop holding the folio lock', (k) => {
      const P = k.process('P', { pages: 1 });
      const F = k.anonFolio(P, 0);
      k.thread('T1', (t) =>
        t.run(function* () {
          yield 'begin'; // lock requests made inside a step are tracked (not at thread start)
          yield F.lock.lock('folio_lock()');
          yield 'stop';
          bug('TEST', 'T1 stops holding the folio lock');
        }),
      );
      k.thread('T2', (t) =>
        t.run(function* () {
          yield 'folio_test_locked()';
          F.lock.holder();
        }),
      );
    });
    const r = explore(s, { stopOnViolation: false, minimize: false });
    expect(r.counts.executions).toBe(2);
    expect(r.verdict).toBe('breaks');
    expect(r.violations.map((v) => v.assertion)).toEqual(['TEST']);
  });

  test('every rule gives the same counts when its scenario is explored twice in a row (nothing leaks between explorations)', () => {
    for (const rule of RULES.filter((x) => ['R1', 'R3', 'R8', 'R15'].includes(x.id))) {
      const m = ruleModel(rule, 'holds');
      const a = explore(m);
      const b = explore(m);
      expect(b.verdict).toBe(a.verdict);
      expect(b.counts).toEqual({ ...a.counts });
      expect(b.finalStateHashes).toEqual(a.finalStateHashes);
    }
  });
});
