/**
 * vitest's `expect` outside vitest: the same @vitest/expect plugins on chai, put together the way
 * vitest's own createExpect() does (vitest/dist, `createExpect`), so a failing matcher in the page
 * prints the message CI prints. Snapshots, mocks and expect.poll are test-runner features and are
 * not offered to blocks.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  ChaiStyleAssertions,
  customMatchers,
  GLOBAL_EXPECT,
  getState,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
} from '@vitest/expect';
import * as chai from 'chai';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(ChaiStyleAssertions);
chai.use(JestAsymmetricMatchers);

type Expect = ((value: unknown, message?: string) => Chai.Assertion) & Record<string, unknown>;

export function createExpect(): Expect {
  const expect = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expect as never);
    setState({ assertionCalls: assertionCalls + 1 }, expect as never);
    return chai.expect(value, message);
  }) as Expect;
  Object.assign(expect, chai.expect);
  Object.assign(expect, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
  expect.getState = () => getState(expect as never);
  expect.setState = (state: object) => setState(state, expect as never);
  setState(
    {
      assertionCalls: 0,
      isExpectingAssertions: false,
      isExpectingAssertionsError: null,
      expectedAssertionsNumber: null,
      expectedAssertionsNumberErrorGen: null,
      testPath: 'spec block',
      currentTestName: 'spec block',
    },
    expect as never,
  );
  expect.assert = chai.assert;
  expect.extend = (matchers: object) =>
    (chai.expect as unknown as { extend: (e: unknown, m: object) => void }).extend(expect, matchers);
  expect.soft = () => {
    throw new Error('expect.soft() needs the vitest runner; use expect()');
  };
  expect.unreachable = (message?: string) => {
    chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`);
  };
  (globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;
  (expect.extend as (m: object) => void)(customMatchers);
  return expect;
}
