import { describe, expect, test } from 'vitest';
import { CATALOGUE, caseTitle } from '../../src/selftests/index.ts';

/** Every kernel selftest port gives the kernel's expected outcome, and can fail. */
describe('kernel selftests replayed on the model', () => {
  test('the catalogue has no duplicate (test, setup) pairs', () => {
    const titles = CATALOGUE.map(caseTitle);
    expect(new Set(titles).size).toBe(titles.length);
  });
  for (const c of CATALOGUE) {
    describe(caseTitle(c), () => {
      test(`gives the kernel's outcome: ${c.expected}`, () => {
        const out = c.run();
        expect(out.result, out.detail).toBe(c.expected);
      });
      test(`fails under ${c.mutation}`, () => {
        const out = c.run({ mutate: c.mutation });
        expect(out.result, out.detail).not.toBe(c.expected);
      });
    });
  }
});
