import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

/**
 * A chapter block that never returns must fail at its timeout with its MDX line, not hang the
 * suite. The loop here is inside an explorer step and touches no explorer memory, so the explorer
 * cannot stop it (README, "What cannot be stopped"): only runBlock's vm timeout can. The fixture is
 * run by a vitest of its own (content/ is tested as a whole: a failing fixture cannot live there).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const fence = '```';
const FIXTURE = `# Runaway

${fence}ts spec name="passes before"
expect(1).toBe(1);
${fence}

${fence}ts spec name="never returns" timeout=500
import { defineModel, explore } from 'mmspec/explorer';
let n = 0;
explore(defineModel('spin', (m) => {
  m.thread('T', function* () {
    yield 'spin';
    for (;;) n++;
  });
}));
${fence}

${fence}ts spec name="the next block runs, guarded again"
import { defineModel, explore } from 'mmspec/explorer';
expect(Date.now()).toBeGreaterThan(0);
const model = defineModel('random', (m) => {
  m.thread('T', function* () {
    yield 'roll';
    Math.random();
  });
});
expect(() => explore(model)).toThrow(/Math.random\\(\\) called from model code/);
${fence}
`;

const src = (p: string) => JSON.stringify(join(ROOT, 'src', p));
const config = (dir: string) => `import { defineConfig } from 'vitest/config';
import { mdxSpecBlocks } from ${JSON.stringify(join(ROOT, 'spec-tests/blocks/mdx-plugin.ts'))};
export default defineConfig({
  plugins: [mdxSpecBlocks({ root: ${JSON.stringify(dir)} })],
  resolve: {
    alias: [
      { find: /^mmspec\\/explorer$/, replacement: ${src('explorer/index.ts')} },
      { find: /^mmspec$/, replacement: ${src('sim/index.ts')} },
    ],
  },
  test: { include: ['content/**/*.mdx'], pool: 'threads' },
});
`;

interface Report {
  testResults: {
    assertionResults: { title: string; status: string; duration: number; failureMessages: string[] }[];
  }[];
}

test('a block that never returns fails within its timeout + 1 s, naming its MDX line', () => {
  const dir = mkdtempSync(join(ROOT, 'spec-tests/blocks/tmp-runaway-'));
  try {
    mkdirSync(join(dir, 'content'));
    writeFileSync(join(dir, 'content/runaway.mdx'), FIXTURE);
    writeFileSync(join(dir, 'vitest.config.ts'), config(dir));
    const out = join(dir, 'report.json');
    const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
    const run = spawnSync(
      process.execPath,
      [vitest, 'run', '--root', dir, '--reporter=json', `--outputFile=${out}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(1);
    const tests = (JSON.parse(readFileSync(out, 'utf8')) as Report).testResults[0].assertionResults;
    const by = Object.fromEntries(tests.map((t) => [t.title, t]));
    expect(by['runaway.mdx:3 passes before'].status).toBe('passed');
    const runaway = by['runaway.mdx:7 never returns'];
    expect(runaway.status).toBe('failed');
    expect(runaway.failureMessages[0]).toMatch(
      /content\/runaway\.mdx:7: the block did not return within its timeout of 500 ms/,
    );
    expect(runaway.duration).toBeLessThan(500 + 1000);
    console.log(`runaway block failed after ${runaway.duration.toFixed(0)} ms (timeout 500 ms)`);
    expect(by['runaway.mdx:18 the next block runs, guarded again'].status).toBe('passed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
