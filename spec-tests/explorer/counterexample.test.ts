import { describe, expect, test } from 'vitest';
import {
  bug,
  choose,
  defineModel,
  Exploration,
  explore,
  type Model,
  until,
} from '../../src/explorer/index.ts';
import { decodeSchedule } from '../../src/explorer/schedule.ts';

/** Two threads increment x; with `locked`, under a mutex. */
function counter(locked: boolean, threads = 2): Model {
  return defineModel(locked ? 'counter under a lock' : 'lost update', (m) => {
    m.options({ fixedFootprints: true }); // a load or a store a step, of x
    const x = m.cell('x', 0);
    const mx = m.mutex('mx');
    for (let t = 0; t < threads; t++)
      m.thread(`T${t}`, function* () {
        if (locked) yield mx.lock();
        yield 'load x';
        const v = x.load();
        yield 'store x';
        x.store(v + 1);
        if (locked) yield mx.unlock();
      });
    m.final('no increment is lost', () => x.load() === threads || `x = ${x.load()}`);
  });
}

/** The fewest preemptions over every violating interleaving, by brute force. */
function bruteMinPreemptions(model: Model): number {
  let best = Number.POSITIVE_INFINITY;
  for (let bound = 0; bound < 6 && best === Number.POSITIVE_INFINITY; bound++) {
    const r = explore(model, { strategy: 'naive', preemptionBound: bound, minimize: false });
    if (r.verdict === 'breaks') best = bound;
  }
  return best;
}

describe('a seeded race: the lost update', () => {
  const r = explore(counter(false));

  test('breaks, with a counterexample of minimal preemptions that says so', () => {
    expect(r.verdict).toBe('breaks');
    const cex = r.counterexample!;
    expect(cex.assertion).toBe('no increment is lost');
    expect(cex.message).toBe('x = 1');
    expect(cex.preemptions).toBe(bruteMinPreemptions(counter(false)));
    expect(cex.preemptions).toBe(1);
    expect(cex.minimal).toBe(true);
    expect(r.text).toMatch(/^breaks: 'no increment is lost' violated \(optimal DPOR; 1 preemption\)/);
  });

  test('replays from its schedule string, checking every step', () => {
    const cex = r.counterexample!;
    expect(cex.schedule).toMatch(/^mmx1;s=/);
    const again = explore(counter(false), { strategy: 'replay', schedule: cex.schedule });
    expect(again.verdict).toBe('breaks');
    expect(again.counterexample!.schedule).toBe(cex.schedule);
    expect(again.counterexample!.steps.map((s) => `${s.thread}:${s.label}`)).toEqual(
      cex.steps.map((s) => `${s.thread}:${s.label}`),
    );
  });

  test('prints a readable trace: lanes, labels, changes, race partners', () => {
    const cex = r.counterexample!;
    expect(cex.text).toContain("'no increment is lost' violated: x = 1");
    expect(cex.text).toMatch(/#\s+T0\s+T1\s+changes/);
    const stores = cex.steps.filter((s) => s.label === 'store x');
    expect(stores).toHaveLength(2);
    expect(stores.map((s) => s.changes[0])).toEqual([
      { key: 'x', before: 0, after: 1 },
      { key: 'x', before: 1, after: 1 },
    ]);
    // The second store races with the first: that ordering is what loses the update.
    const second = cex.steps.indexOf(stores[1]);
    expect(cex.steps[second].racesWith).toContain(cex.steps.indexOf(stores[0]));
    expect(cex.steps.filter((s) => s.preemption)).toHaveLength(1);
  });

  test('the fix holds, exhaustively', () => {
    const fixed = explore(counter(true, 3));
    expect(fixed.verdict).toBe('holds');
    expect(fixed.text).toMatch(
      /^holds: exhaustive \(optimal DPOR; 6 executions, 6 traces, 1 final states\)$/,
    );
    expect(fixed.checks['no increment is lost'].status).toBe('holds');
  });

  test('same input, same result, same counterexample', () => {
    const a = explore(counter(false, 3));
    const b = explore(counter(false, 3));
    expect(a.counterexample!.schedule).toBe(b.counterexample!.schedule);
    expect(a.counts).toEqual(b.counts);
  });
});

test('the counterexample is cut to the causal past of the violation and has the fewest preemptions', () => {
  // T2 does unrelated work; the violation needs T0 and T1 only.
  const model = defineModel('noise', (m) => {
    const x = m.cell('x', 0);
    const y = m.cell('y', 0);
    m.thread('T0', function* () {
      yield 'a';
      x.store(1);
      yield 'b';
      x.store(0);
    });
    m.thread('T1', function* () {
      yield 'check';
      y.store(x.load());
    });
    m.thread('noise', function* () {
      for (let i = 0; i < 3; i++) {
        yield 'noise';
        y.load();
      }
    });
    m.always('y stays 0', () => y.load() === 0, { on: ['y'] });
  });
  const r = explore(model);
  const cex = r.counterexample!;
  expect(cex.steps.map((s) => `${s.thread}:${s.label}`)).toEqual(['T0:a', 'T1:check']);
  expect(cex.preemptions).toBe(1);
  expect(cex.preemptions).toBe(bruteMinPreemptions(model));
});

test('every check is checked in every interleaving; each gets its own counterexample', () => {
  // A violation does not end the execution: later checks are still checked.
  const model = defineModel('two bugs', (m) => {
    const x = m.cell('x', 0);
    const seen = m.cell('seen', 0);
    m.thread('A', function* () {
      yield 'x=1';
      x.store(1);
      yield 'x=2';
      x.store(2);
    });
    m.thread('B', function* () {
      yield 'check';
      seen.store(x.load());
      if (seen.load() === 1) bug('B saw 1', 'B ran between the two stores');
    });
    m.always('x is not 2', () => x.load() !== 2, { on: ['x'] });
    m.final('B saw the end', () => seen.load() === 2);
  });
  const r = explore(model);
  expect(r.verdict).toBe('breaks');
  expect(Object.keys(r.checks).sort()).toEqual(['B saw 1', 'B saw the end', 'deadlock', 'x is not 2']);
  expect(r.checks['x is not 2'].status).toBe('violated');
  expect(r.checks['B saw 1'].status).toBe('violated');
  expect(r.checks['B saw the end'].status).toBe('violated');
  expect(r.checks.deadlock.status).toBe('holds');
  expect(r.checks['B saw 1'].counterexample!.steps.map((s) => `${s.thread}:${s.label}`)).toEqual([
    'A:x=1',
    'B:check',
  ]);
  const first = explore(model, { stopOnViolation: true });
  expect(first.violations).toHaveLength(1);
  expect(first.checks.deadlock.status).toBe('unchecked');
});

describe('replay', () => {
  const model = counter(false);
  test('a schedule that names a step the thread is not at fails loudly', () => {
    const good = explore(model).counterexample!.schedule;
    const bad = good.replace('@load%20x', '@store%20x');
    expect(bad).not.toBe(good);
    expect(() => explore(model, { strategy: 'replay', schedule: bad })).toThrow(/replay diverged at step #0/);
  });
  test('a schedule for other code fails on the label hash', () => {
    const s = explore(model).counterexample!.schedule.replace(/h=[0-9a-f]+/, 'h=00000000');
    expect(() => explore(model, { strategy: 'replay', schedule: s })).toThrow(/label hash differs/);
  });
  test('unknown threads and versions are named', () => {
    expect(() => explore(model, { strategy: 'replay', schedule: 'mmx1;s=Z@x' })).toThrow(
      /no thread named 'Z'/,
    );
    expect(() => explore(model, { strategy: 'replay', schedule: 'mmx9;s=T0' })).toThrow(
      /unknown version 'mmx9'/,
    );
  });
  test('a prefix, then every continuation of it', () => {
    const all = explore(counter(false, 3), { minimize: false });
    const prefix = 'mmx1;s=T0*2@store%20x';
    const under = explore(counter(false, 3), { schedule: prefix, minimize: false });
    expect(under.exhaustive).toBe(true);
    expect(under.counts.traces).toBeGreaterThan(0);
    expect(under.counts.traces).toBeLessThan(all.counts.traces);
    // Every execution under the prefix starts with T0's two steps.
    expect(decodeSchedule(under.counterexample!.schedule, ['T0', 'T1', 'T2']).picks.length).toBeGreaterThan(
      0,
    );
  });
});

test('choices are explored and recorded in the schedule', () => {
  const model = defineModel('choose', (m) => {
    const x = m.cell('x', 0);
    m.thread('A', function* () {
      const v: number = yield choose('pick', 3);
      yield 'write';
      x.store(v);
    });
    m.always('x is never 2', () => x.load() !== 2, { on: ['x'] });
  });
  const r = explore(model);
  expect(r.counterexample!.schedule).toMatch(/^mmx1;s=A:2@pick,A@write;h=/);
  expect(explore(model, { strategy: 'replay', schedule: r.counterexample!.schedule }).verdict).toBe('breaks');
});

describe('witnesses make vacuity loud', () => {
  const model = (reachable: boolean) =>
    defineModel('witness', (m) => {
      const x = m.cell('x', 0);
      m.thread('A', function* () {
        yield 'x=1';
        x.store(1);
      });
      m.sometimes('x reaches the value', () => x.load() === (reachable ? 1 : 5), { on: ['x'] });
    });
  test('reached: holds, with the schedule that reaches it', () => {
    const r = explore(model(true));
    expect(r.verdict).toBe('holds');
    expect(r.witnesses['x reaches the value']).toEqual({
      reached: true,
      schedule: expect.stringMatching(/^mmx1;s=A@x%3d1/),
    });
  });
  test('never reached: vacuous, not holds', () => {
    const r = explore(model(false));
    expect(r.verdict).toBe('vacuous');
    expect(r.text).toMatch(/^vacuous: no violation, but never reached: 'x reaches the value'/);
  });
});

describe('bounds are their own outcome, never a pass', () => {
  const spin = defineModel('spin', (m) => {
    const x = m.cell('x', 0);
    m.thread('A', function* () {
      for (;;) {
        yield 'poll';
        x.load();
      }
    });
  });
  test('length bound', () => {
    const r = explore(spin, { maxSteps: 50 });
    expect(r.verdict).toBe('bounded');
    expect(r.counts.lengthBound).toBe(1);
    expect(r.text).toMatch(/an execution ran 50 steps \(last: thread 'A', step 'poll'\)/);
  });
  test('execution budget', () => {
    const r = explore(counter(true, 4), { maxExecutions: 5 });
    expect(r.verdict).toBe('bounded');
    expect(r.bound).toEqual({ kind: 'executions', detail: 'stopped after 5 executions' });
  });
  test('preemption bound', () => {
    const r = explore(counter(true, 3), { strategy: 'naive', preemptionBound: 0 });
    // With the lock held, no other thread can run: nothing was cut, so the search is complete.
    expect(r.verdict).toBe('holds');
    const independent = defineModel('independent', (m) => {
      const xs = [m.cell('x0', 0), m.cell('x1', 0)];
      for (const t of [0, 1])
        m.thread(`T${t}`, function* () {
          yield 'a';
          xs[t].store(1);
          yield 'b';
          xs[t].store(2);
        });
    });
    const cut = explore(independent, { strategy: 'naive', preemptionBound: 0 });
    expect(cut.verdict).toBe('bounded');
    expect(cut.counts.executions).toBe(2);
    expect(cut.text).toMatch(/at most 0 preemptions/);
  });
});

describe('runs in slices', () => {
  test('a sliced run gives the same result as a whole one, with progress in between', () => {
    const whole = explore(counter(true, 4));
    const ex = new Exploration(counter(true, 4));
    const seen: number[] = [];
    while (!ex.done) {
      const p = ex.runSlice(0);
      seen.push(p.executions);
    }
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(ex.result().counts).toEqual(whole.counts);
    expect(ex.progress().done).toBe(true);
  });
});

describe('random walk and PCT are reproducible from their seed', () => {
  test.each(['random', 'pct'] as const)('%s', (strategy) => {
    const a = explore(counter(false, 3), { strategy, runs: 200, seed: 5 });
    const b = explore(counter(false, 3), { strategy, runs: 200, seed: 5 });
    expect(a.verdict).toBe('breaks');
    expect(a.counterexample!.schedule).toBe(b.counterexample!.schedule);
    expect(a.counts).toEqual(b.counts);
    const clean = explore(counter(true, 3), { strategy, runs: 50, seed: 5 });
    expect(clean.verdict).toBe('bounded');
    expect(clean.text).toMatch(/not exhaustive/);
  });
});

test('a wait that never comes true is a deadlock, reported with what waits for what', () => {
  const model = defineModel('stuck', (m) => {
    const flag = m.cell('flag', 0);
    const mx = m.mutex('mx');
    m.thread('waiter', function* () {
      yield mx.lock();
      yield until('wait for flag', () => flag.load() === 1);
      yield mx.unlock();
    });
    m.thread('setter', function* () {
      yield mx.lock();
      yield 'flag=1';
      flag.store(1);
      yield mx.unlock();
    });
  });
  const r = explore(model);
  expect(r.verdict).toBe('breaks');
  const cex = r.checks.deadlock.counterexample!;
  expect(cex.message).toBe(
    "deadlock: waiter waits in 'wait for flag' (condition false); setter waits for mx held by waiter",
  );
  expect(explore(model, { strategy: 'replay', schedule: cex.schedule }).outcome).toBe('deadlock');
});

test('an invariant over two objects is checked in every interleaving despite the reduction', () => {
  // The four steps touch x and y independently: without the check's footprint, one trace would
  // cover them all and the state x = y = 1 would never be seen.
  const model = defineModel('both set', (m) => {
    const x = m.cell('x', 0);
    const y = m.cell('y', 0);
    for (const [name, c] of [
      ['A', x],
      ['B', y],
    ] as const)
      m.thread(name, function* () {
        yield 'set';
        c.store(1);
        yield 'clear';
        c.store(0);
      });
    m.always('never both set', () => !(x.load() === 1 && y.load() === 1), { on: [x, y] });
  });
  const r = explore(model);
  expect(r.verdict).toBe('breaks');
  expect(r.counterexample!.steps.map((s) => `${s.thread}:${s.label}`)).toEqual(['A:set', 'B:set']);
  // The check's footprint orders exactly the steps that can change its value: no more traces than that.
  const naive = explore(model, { strategy: 'naive', countTraces: true, minimize: false });
  expect(r.counts.traces).toBe(naive.counts.traces);
});

test('each step of a counterexample records the values it read', () => {
  const cex = explore(counter(false)).counterexample!;
  const loads = cex.steps.filter((s) => s.label === 'load x');
  expect(loads.map((s) => s.readValues)).toEqual([{ x: 0 }, { x: 0 }]);
  const lock = explore(counter(true), { strategy: 'replay', schedule: 'mmx1;s=T0@lock(mx)' });
  expect(lock.outcome).toBe('stopped');
});

test('the fewest preemptions: a serial violation is shown serially, even where its causal past leaves a thread midway', () => {
  // B breaks once A has set x, in any order that runs A first. The violation's causal past is
  // A's first step and B's: cut to it, A stops with its second step pending (a preemption of A);
  // the serial execution, uncut, has none.
  const model = defineModel('serial bug', (m) => {
    const x = m.cell('x', 0);
    const z = m.cell('z', 0);
    m.thread('A', function* () {
      yield 'x=1';
      x.store(1);
      yield 'z=1';
      z.store(1);
    });
    m.thread('B', function* () {
      yield 'check';
      if (x.load() === 1) bug('B saw 1', 'A set x first');
    });
  });
  const cex = explore(model).checks['B saw 1'].counterexample!;
  expect(cex.preemptions).toBe(0);
  expect(cex.minimal).toBe(true);
  expect(cex.steps.map((s) => `${s.thread}:${s.label}`)).toEqual(['A:x=1', 'A:z=1', 'B:check']);
});
