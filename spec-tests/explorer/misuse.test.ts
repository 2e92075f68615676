import { describe, expect, test } from 'vitest';
import { defineModel, ExplorerError, explore, type ThreadBody } from '../../src/explorer/index.ts';

/** A model with one thread `T` (plus an idle `U`) whose body is given. */
function one(body: (x: { load(): number; store(v: number): void }) => () => ThreadBody) {
  return defineModel('misuse', (m) => {
    const x = m.cell('x', 0);
    m.thread('T', body(x));
    m.thread('U', function* () {
      yield 'idle';
    });
  });
}

const fails = (model: ReturnType<typeof one>, pattern: RegExp, opts = {}) => {
  let err: unknown;
  try {
    explore(model, opts);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ExplorerError);
  expect((err as Error).message).toMatch(pattern);
  return err as ExplorerError;
};

describe('bad input gets a precise error: thread, step label, schedule', () => {
  test('a thread that throws', () => {
    const e = fails(
      one(
        (x) =>
          function* () {
            yield 'first';
            x.store(1);
            yield 'second';
            throw new TypeError('boom');
          },
      ),
      /thread 'T' threw TypeError: boom \(thread 'T', step 'second', at step #1\)\n {2}schedule: mmx1;s=T\*2@second;h=/,
    );
    expect(e.site).toMatchObject({ thread: 'T', label: 'second', step: 1 });
    expect(e.cause).toBeInstanceOf(TypeError);
  });

  test('yielding something that is not a request', () => {
    fails(
      one(
        () =>
          function* () {
            yield 'ok';
            yield 42 as unknown as string;
          },
      ),
      /thread 'T' yielded number: yield a step label or a request \(thread 'T', step 'ok'/,
    );
    fails(
      one(
        () =>
          function* () {
            yield Promise.resolve() as unknown as string;
          },
      ),
      /yielded a Promise: threads are synchronous/,
    );
  });

  test('an async thread body', () => {
    const model = defineModel('async', (m) => {
      m.thread('T', async function* () {
        yield 'x';
      } as unknown as () => ThreadBody);
    });
    expect(() => explore(model)).toThrow(/async generator: threads must be synchronous \(thread 'T'\)/);
  });

  test('releasing a mutex it does not hold', () => {
    const model = defineModel('unlock', (m) => {
      const mx = m.mutex('mx');
      m.thread('T', function* () {
        yield mx.unlock();
      });
    });
    expect(() => explore(model)).toThrow(
      /releases mutex 'mx', which it does not hold \(held by nobody\) \(thread 'T', step 'unlock\(mx\)', at step #0\)/,
    );
  });

  test('touching shared memory outside a step', () => {
    fails(
      one(
        (x) =>
          function* () {
            x.store(1);
            yield 'late';
          },
      ),
      /shared memory written outside a step: 'x' \(put a yield before it\)/,
    );
  });

  test('a predicate that writes', () => {
    const model = defineModel('impure', (m) => {
      const x = m.cell('x', 0);
      m.thread('T', function* () {
        yield 'w';
        x.store(1);
      });
      m.always('impure', () => {
        x.store(5);
        return true;
      });
    });
    expect(() => explore(model)).toThrow(/a predicate wrote 'x': predicates must be pure/);
  });

  test.each([
    ['Math.random', () => Math.random()],
    ['Date.now', () => Date.now()],
    ['new Date', () => new Date()],
    ['performance.now', () => performance.now()],
  ])('%s in a thread', (name, f) => {
    const e = fails(
      one(
        () =>
          function* () {
            yield 'step';
            f();
          },
      ),
      new RegExp(
        `${name.replace('.', '\\.').replace('new ', '')}.*called from model code: threads must be deterministic.*\\(thread 'T', step 'step', at step #0\\)\\n {2}schedule: mmx1;s=T@step;h=`,
      ),
    );
    expect(e.site).toMatchObject({ thread: 'T', label: 'step', step: 0 });
    // The guard is lifted once the explorer returns.
    expect(typeof Math.random()).toBe('number');
    expect(Date.now()).toBeGreaterThan(0);
  });

  test('nondeterminism that only a second run can see', () => {
    let calls = 0; // state outside the model: a different path on every run
    const model = defineModel('leaky', (m) => {
      const x = m.cell('x', 0);
      m.thread('T', function* () {
        yield 'step';
        if (calls++ % 2 === 0) x.store(1);
        else x.load();
      });
    });
    expect(() => explore(model, { checkDeterminism: true })).toThrow(
      /the model is not deterministic: step #0 was 'step'/,
    );
  });

  test('a mutex name reused, a key created twice, a missing key', () => {
    expect(() =>
      explore(
        defineModel('dup', (m) => {
          m.cell('x', 0);
          m.cell('x', 1);
          m.thread('T', function* () {
            yield 's';
          });
        }),
      ),
    ).toThrow(/'x' created twice/);
    expect(() =>
      explore(
        defineModel('names', (m) => {
          m.thread('a b', function* () {
            yield 's';
          });
        }),
      ),
    ).toThrow(/thread name 'a b' must match/);
  });

  test('unknown strategy, replay without a schedule', () => {
    const model = one(
      () =>
        function* () {
          yield 's';
        },
    );
    expect(() => explore(model, { strategy: 'bogus' as never })).toThrow(/unknown strategy 'bogus'/);
    expect(() => explore(model, { strategy: 'replay' })).toThrow(/strategy 'replay' needs a schedule/);
  });
});
