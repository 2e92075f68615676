import { describe, expect, test } from 'vitest';
import { ExplorerError } from '../../src/explorer/index.ts';
import { explore, MUTATIONS, SimMisuse, scenario } from '../../src/sim/index.ts';
import { try_to_unmap } from '../../src/sim/ops/rmap.ts';

describe('simulator misuse raises named errors', () => {
  test('an unknown mutation is refused', () => {
    expect(() => scenario('x', () => {}, { mutate: 'no_such_patch' as never })).not.toThrow();
    expect(() =>
      explore(
        scenario('x', (k) => k.thread('T', (t) => t.load(k.process('A'), 0)), {
          mutate: 'no_such_patch' as never,
        }),
      ),
    ).toThrow(/unknown mutation 'no_such_patch'/);
  });

  test('unlocking a folio the thread does not hold', () => {
    const s = scenario('bad unlock', (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.thread('T', (t) =>
        t.run(function* () {
          yield F.lock.unlock('folio_unlock()');
        }),
      );
    });
    expect(() => explore(s)).toThrow(ExplorerError);
    expect(() => explore(s)).toThrow(/releases mutex 'folio#1.lock', which it does not hold/);
  });

  test('an op on an object that does not exist', () => {
    const s = scenario('wild pointer', (k) => {
      const A = k.process('A', { pages: 1 });
      k.thread('T', (t) =>
        t.run(function* (task) {
          yield 'lookup';
          task.k.lookup('folio#42', 'folio');
        }),
      );
      void A;
    });
    expect(() => explore(s)).toThrow(/folio 'folio#42' does not exist in this scenario/);
  });

  test('try_to_unmap without the folio lock is a kernel assertion (VM_BUG_ON_FOLIO), recorded as a violation', () => {
    const s = scenario('unlocked try_to_unmap', (k) => {
      const A = k.process('A', { pages: 1 });
      const F = k.anonFolio(A, 0);
      k.thread('T', (t) => t.run((task) => try_to_unmap(task, F)));
    });
    const r = explore(s);
    expect(r.verdict).toBe('breaks');
    expect(r.counterexample?.assertion).toBe('VM_BUG_ON_FOLIO');
  });

  test('allocating more folios than reserved names the thread', () => {
    const s = scenario('budget', (k) => {
      const A = k.process('A', { pages: 2 });
      k.thread('T', (t) => t.load(A, 0).load(A, 1), { alloc: 1 });
    });
    expect(() => explore(s)).toThrow(/task 'T' allocates more than 1 folios/);
  });

  test('SimMisuse is an ExplorerError', () => {
    expect(new SimMisuse('x')).toBeInstanceOf(ExplorerError);
    expect(Object.keys(MUTATIONS).length).toBe(36);
  });
});
