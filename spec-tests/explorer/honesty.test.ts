import { describe, expect, test } from 'vitest';
import { lastzero } from '../../src/explorer/classics.ts';
import {
  choose,
  defineModel,
  type ExploreOptions,
  ExplorerError,
  explore,
} from '../../src/explorer/index.ts';

/** The explorer never hangs and never lies (issue 9, item 6). */

/** T spins inside one step on x, which only U sets: U can never run, since T never yields. */
const spin = defineModel('spin without yielding', (m) => {
  const x = m.cell('x', 0);
  m.thread('T', function* () {
    yield 'spin';
    while (x.load() === 0) {}
  });
  m.thread('U', function* () {
    yield 'set';
    x.store(1);
  });
});

function thrown(opts: ExploreOptions): { err: ExplorerError; ms: number } {
  const t0 = performance.now();
  let err: unknown;
  try {
    explore(spin, opts);
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  expect(err).toBeInstanceOf(ExplorerError);
  const e = err as ExplorerError;
  expect(e.site).toMatchObject({ thread: 'T', label: 'spin', step: 0 });
  expect(e.message).toMatch(/\n {2}schedule: mmx1;s=T@spin;h=/);
  return { err: e, ms };
}

describe('a step that loops without yielding is stopped', () => {
  test('by the access budget (default 10^7)', () => {
    // A large time budget, so that only the access budget can fire, however loaded the machine.
    const { err } = thrown({ stepTimeMs: 60_000 });
    expect(err.message).toMatch(
      /made over 10000000 memory accesses without yielding: .*raise maxStepAccesses/,
    );
  });

  test('by the time budget per step', () => {
    const { err, ms } = thrown({ maxStepAccesses: Number.POSITIVE_INFINITY, stepTimeMs: 300 });
    expect(err.message).toMatch(
      /the step ran \d+ ms without yielding \(stepTimeMs = 300\): .*raise stepTimeMs/,
    );
    expect(ms).toBeLessThan(300 + 1000);
  });

  test('by timeMs, within timeMs', () => {
    const { err, ms } = thrown({ maxStepAccesses: Number.POSITIVE_INFINITY, timeMs: 400 });
    expect(err.message).toMatch(/the time budget timeMs = 400 ran out inside one step, .*raise timeMs/);
    expect(ms).toBeLessThan(400 + 1000);
  });

  test('the budgets are options, checked', () => {
    expect(() => explore(spin, { maxStepAccesses: 0 })).toThrow(/maxStepAccesses must be a positive number/);
    expect(() => explore(spin, { stepTimeMs: -1 })).toThrow(/stepTimeMs must be a positive number/);
  });

  test('for good: an access after the step caught the error throws again at once', () => {
    let after = 0;
    const model = defineModel('swallow', (m) => {
      const x = m.cell('x', 0);
      m.thread('T', function* () {
        yield 'spin';
        try {
          while (x.load() === 0) {}
        } catch {}
        while (x.load() === 0) after++;
      });
    });
    expect(() => explore(model, { maxStepAccesses: 100_000 })).toThrow(/made over 100000 memory accesses/);
    expect(after).toBe(0);
  });
});

test('a setup whose initial state differs between executions is refused', () => {
  let outside = 0; // state outside the model: setup reads it, so each execution starts elsewhere
  const model = defineModel('drifting setup', (m) => {
    const x = m.cell('x', 0);
    const y = m.cell('y', outside++);
    for (const name of ['A', 'B'])
      m.thread(name, function* () {
        yield 'inc';
        x.store(x.load() + y.load());
      });
  });
  expect(() => explore(model)).toThrow(
    /setup is not deterministic: the initial state differs from the first execution's at 'y'/,
  );
});

test('final states are counted exactly (no 32-bit hash collisions)', () => {
  // 8^5 = 32768 distinct final states; these values collide under a 32-bit FNV hash of the state.
  const model = defineModel('many final states', (m) => {
    for (let i = 0; i < 5; i++) {
      const c = m.cell(`b${i}`, 0);
      m.thread(`T${i}`, function* () {
        const v = yield choose('pick', 8);
        c.store(v * 2 ** 20);
      });
    }
  });
  const r = explore(model);
  expect(r.counts.finalStates).toBe(8 ** 5);
  expect(r.finalStateHashes).toHaveLength(8 ** 5);
});

test('steps are counted new and replayed apart (issue 12)', () => {
  const model = lastzero(5);
  for (const strategy of ['optimal', 'source'] as const) {
    const r = explore(model, { strategy });
    const c = r.counts;
    expect(c.newSteps + c.replayedSteps).toBe(c.steps);
    // Every execution after the first re-runs a prefix; each tree node is run new exactly once.
    expect(c.replayedSteps).toBeGreaterThan(0);
    expect(c.newSteps).toBeLessThan(c.steps);
    // The first execution replays nothing.
    const one = explore(model, { strategy, maxExecutions: 1 });
    expect(one.counts.replayedSteps).toBe(0);
    expect(one.counts.newSteps).toBe(one.counts.steps);
  }
  // Strategies that run each execution through from the start replay nothing (a smaller program:
  // naive enumeration of lastzero(5) runs every interleaving, about a minute on a loaded machine).
  const naive = explore(lastzero(3), { strategy: 'naive' });
  expect(naive.exhaustive).toBe(true);
  expect(naive.counts.replayedSteps).toBe(0);
  expect(naive.counts.newSteps).toBe(naive.counts.steps);
});
