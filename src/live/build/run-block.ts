/**
 * How vitest runs a spec block: as a synchronous function called through `node:vm` with the
 * block's timeout, so V8 terminates a block that never returns — a loop the explorer cannot stop,
 * one that touches none of its memory (`for (;;) {}`) — and the test fails with the block's MDX
 * line instead of hanging the suite. vitest's own test timeout is a timer: it never fires while
 * synchronous code runs.
 */
import vm from 'node:vm';

const CALL = new vm.Script('globalThis.__mmspecBlock()', { filename: 'mmspec:run-block' });

type Globals = { __mmspecBlock?: () => void; Date: DateConstructor };

/** Run `body` (a block) for at most `timeoutMs`; `where` is `content/<file>.mdx:<line>`. */
export function runBlock(where: string, timeoutMs: number, body: () => void): void {
  const g = globalThis as unknown as Globals;
  // A terminated block runs no `finally`: the explorer's determinism guard would leave
  // Math.random, Date and performance.now stubbed out for every later block of this worker.
  const saved = { random: Math.random, Date: g.Date, now: performance.now };
  g.__mmspecBlock = body;
  try {
    CALL.runInThisContext({ timeout: timeoutMs });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    throw new Error(
      `${where}: the block did not return within its timeout of ${timeoutMs} ms and was stopped. A loop that never ends? The explorer stops a step that loops on its memory; this loop touched none (or caught the explorer's error). If the block is just slow, raise timeout=ms in its fence.`,
    );
  } finally {
    delete g.__mmspecBlock;
    Math.random = saved.random;
    g.Date = saved.Date;
    performance.now = saved.now;
  }
}
