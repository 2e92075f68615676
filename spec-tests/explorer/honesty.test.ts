import { expect, test } from 'vitest';
import { choose, defineModel, explore } from '../../src/explorer/index.ts';

/** The explorer never hangs and never lies (issue 9, item 6). */

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
