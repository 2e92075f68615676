import { describe, expect, test } from 'vitest';
import { defineModel, explore } from '../../src/explorer/index.ts';

/** `counts.finalStates` tells final states apart as data (Memory.hash, Memory.equals). */
describe('distinct final states', () => {
  function lastWriterWins(a: object, b: object) {
    return defineModel('last writer wins', (m) => {
      const x = m.cell<object>('x', {});
      m.thread('A', function* () {
        yield 'store a';
        x.store(a);
      });
      m.thread('B', function* () {
        yield 'store b';
        x.store(b);
      });
    });
  }

  test('objects with the same fields are one state, whatever their order or identity', () => {
    const r = explore(lastWriterWins({ page: 1, write: true }, { write: true, page: 1 }));
    expect(r.counts.executions).toBe(2);
    expect(r.counts.finalStates).toBe(1);
  });

  test('a field that differs, a missing one, or an array element makes another state', () => {
    expect(
      explore(lastWriterWins({ page: 1, write: true }, { page: 1, write: false })).counts.finalStates,
    ).toBe(2);
    expect(explore(lastWriterWins({ page: 1, write: true }, { page: 1 })).counts.finalStates).toBe(2);
    expect(explore(lastWriterWins({ l: [1, 2] }, { l: [2, 1] })).counts.finalStates).toBe(2);
    expect(explore(lastWriterWins({ l: [1, 2] }, { l: [1, 2] })).counts.finalStates).toBe(1);
  });
});
