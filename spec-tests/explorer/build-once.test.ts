import { describe, expect, test } from 'vitest';
import { lastzero, traceCounts } from '../../src/explorer/classics.ts';
import { defineModel, explore, type Model } from '../../src/explorer/index.ts';

/**
 * Issue 12 item 1 at the explorer's level: `defineModel(…, { buildOnce: true })` runs setup in
 * the first execution only and restores its initial memory in every later one; the search is
 * the same as with setup run every time.
 */
describe('a model built once', () => {
  /** Two writers and a reader of one cell, with an invariant and a final check. */
  function model(buildOnce: boolean, counts: { setup: number; restores: number }): Model {
    return defineModel(
      `racy cell (buildOnce ${buildOnce})`,
      (m) => {
        counts.setup++;
        const x = m.cell('x', 0);
        const seen = m.cell('seen', -1);
        for (const [name, v] of [
          ['A', 1],
          ['B', 2],
        ] as const)
          m.thread(name, function* () {
            yield 'store x';
            x.store(v);
          });
        m.thread('R', function* () {
          yield 'load x';
          seen.store(x.load());
        });
        m.always('x is 0, 1 or 2', () => [0, 1, 2].includes(x.load()), { on: [x] });
        m.final('R saw a value x had', () => [0, 1, 2].includes(seen.load()));
        m.onRestore(() => counts.restores++);
      },
      { buildOnce },
    );
  }

  test('setup runs once; onRestore runs before every later execution; counts and verdict as rebuilt', () => {
    const once = { setup: 0, restores: 0 };
    const every = { setup: 0, restores: 0 };
    const a = explore(model(true, once));
    const b = explore(model(false, every));
    expect(a.counts.executions).toBeGreaterThan(1);
    // Starts: one when the exploration is made (it learns the threads), then one per execution.
    expect(once.setup).toBe(1);
    expect(once.restores).toBe(a.counts.executions);
    expect(every.setup).toBe(b.counts.executions + 1);
    expect(every.restores).toBe(0);
    expect(a.verdict).toBe(b.verdict);
    expect(a.counts.executions).toBe(b.counts.executions);
    expect(a.counts.finalStates).toBe(b.counts.finalStates);
    // (x, seen): R before both stores (1, 0) (2, 0); between them (2, 1) (1, 2); after both (1, 1) (2, 2).
    expect(a.counts.finalStates).toBe(6);
  });

  test("every execution starts from the first one's initial memory (no step's write carries over)", () => {
    // A reads x, then adds 10; B adds 2. Were memory carried over, the second execution (B
    // first) would start at 12 and A would read 14.
    const r = explore(
      defineModel(
        'add ten',
        (m) => {
          const x = m.cell('x', 0);
          const seen = m.cell('seen', -1);
          m.thread('A', function* () {
            yield 'load x, store x + 10';
            seen.store(x.load());
            x.store(x.load() + 10);
          });
          m.thread('B', function* () {
            yield 'x += 2';
            x.store(x.load() + 2);
          });
          m.final("A read the initial 0 or B's 2", () => seen.load() === 0 || seen.load() === 2);
        },
        { buildOnce: true },
      ),
    );
    expect(r.counts.executions).toBe(2);
    expect(r.counts.finalStates).toBe(2);
    expect(r.verdict).toBe('holds');
  });

  test('the DPOR classics are built once and keep their exact trace counts', () => {
    expect(lastzero(5).buildOnce).toBe(true);
    expect(explore(lastzero(5)).counts.executions).toBe(traceCounts.lastzero(5));
  });
});
