import { afterEach, describe, expect, test, vi } from 'vitest';
import { defineModel, ExplorerError, explore, Memory, until } from '../../src/explorer/index.ts';

/**
 * A scoped predicate (`{ on: [...] }`) is re-checked only after steps that change its objects, and
 * only those steps are ordered against each other on its account. So it may read only keys of
 * its objects: a read of any other key is an error naming the check, the key and its object.
 */

/** A sets x then clears it; B sets y. `x and y both 1` is reachable (A, B, A). */
function model(on: 'x' | 'x,y', how: 'value' | 'liveness' = 'value') {
  return defineModel('scope', (m) => {
    const x = m.cell('x', 0);
    const y = m.cell('y', 0);
    m.thread('A', function* () {
      yield 'x=1';
      x.store(1);
      yield 'x=0';
      x.store(0);
    });
    m.thread('B', function* () {
      yield 'y=1';
      y.store(1);
    });
    const both =
      how === 'value'
        ? () => !(x.load() === 1 && y.load() === 1)
        : () => !(x.load() === 1 && m.mem.isLive(y.key));
    m.always('never both set', both, { on: on === 'x' ? [x] : [x, y] });
  });
}

function scopeError(f: () => unknown): ExplorerError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ExplorerError);
  return err as ExplorerError;
}

describe('a scoped predicate reads only its scope', () => {
  afterEach(() => vi.restoreAllMocks());

  test('correctly scoped: the violation is found', () => {
    const r = explore(model('x,y'));
    expect(r.verdict).toBe('breaks');
    expect(r.counterexample?.assertion).toBe('never both set');
  });

  test('a read outside the scope is an error naming the check, the key and its object', () => {
    const e = scopeError(() => explore(model('x')));
    expect(e.message).toContain(
      "check 'never both set' reads 'y' outside its scope (on: x): add its object 'y' to 'on'",
    );
  });

  test('so is asking whether a key outside the scope exists', () => {
    const e = scopeError(() => explore(model('x', 'liveness')));
    expect(e.message).toContain("check 'never both set' reads 'y' outside its scope (on: x)");
  });

  test('without the check, the mis-scoped predicate misses the violation silently', () => {
    // B's write of y neither re-checks the predicate nor is ordered against A's steps: DPOR runs
    // one interleaving of the now-independent steps, in which the predicate never sees x = y = 1.
    vi.spyOn(Memory.prototype as unknown as { outOfScope(k: number): void }, 'outOfScope').mockImplementation(
      () => undefined,
    );
    const r = explore(model('x'));
    expect(r.verdict).toBe('holds');
    expect(r.counts.executions).toBe(1);
  });

  test('scopes over many objects: in and out of scope across 32-object words', () => {
    // A scope is a bitset over object ids: a check scoped to objects 31, 32 and 63 may read them,
    // not 30 or 33, nor 64 or 95, which share a bit with 32 and 31 in another word.
    const wide = (reads: number) =>
      defineModel('wide', (m) => {
        const cells = Array.from({ length: 100 }, (_, i) => m.cell(`c${i}`, 0));
        m.thread('T', function* () {
          yield 'write';
          for (const c of cells) c.store(1);
        });
        const on = [cells[31], cells[32], cells[63]];
        m.always('reads its cells', () => cells[reads].load() <= 1, { on });
      });
    for (const ok of [31, 32, 63]) expect(explore(wide(ok)).verdict).toBe('holds');
    for (const out of [30, 33, 64, 95])
      expect(scopeError(() => explore(wide(out))).message).toContain(`reads 'c${out}' outside its scope`);
  });

  test('unscoped predicates and await conditions read anything', () => {
    const r = explore(
      defineModel('unscoped', (m) => {
        const x = m.cell('x', 0);
        const y = m.cell('y', 0);
        m.thread('A', function* () {
          yield 'x=1';
          x.store(1);
        });
        m.thread('B', function* () {
          yield until('x set', () => x.load() === 1);
          y.store(1);
        });
        m.always('y only after x', () => y.load() === 0 || x.load() === 1);
        m.always('x is 0 or 1', () => x.load() <= 1, { on: [x] });
      }),
    );
    expect(r.verdict).toBe('holds');
  });
});
