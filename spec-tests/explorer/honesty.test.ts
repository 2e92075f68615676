import { expect, test } from 'vitest';
import { defineModel, explore } from '../../src/explorer/index.ts';

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
