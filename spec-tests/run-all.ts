/**
 * `npm test`: every check of the project, the independent ones side by side (issue 12: under
 * 3 minutes on 2 cores). vitest (one worker on 2 cores) runs from the start; beside it the site is
 * built, and lint, tsc and the block type-check run one after another; the browser pass starts
 * once the site is built. Each phase is the package.json script of the same name, so any one can
 * still be run alone (`npm run lint`, `npm run test:unit`, `npm run test:browser`, …).
 *
 * Every line a phase prints is prefixed with its name; at the end a table gives each phase's
 * status and wall time. Exits non-zero if any phase fails (a phase whose input failed, the
 * browser pass after a failed build, is reported as not run, and counts as a failure).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const scripts: Record<string, string> = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts;

interface Phase {
  name: string;
  /** A package.json script, and arguments added to it. */
  script: string;
  args?: string;
  env?: Record<string, string>;
  /** Starts when this phase has passed (and is not run if it failed). */
  after?: string;
}

const PHASES: Phase[] = [
  { name: 'vitest', script: 'test:unit' },
  { name: 'build', script: 'build', args: '--silent', env: { ASTRO_TELEMETRY_DISABLED: '1' } },
  { name: 'lint', script: 'lint' },
  { name: 'tsc', script: 'typecheck', after: 'lint' },
  { name: 'blocks', script: 'check:blocks', after: 'tsc' },
  { name: 'browser', script: 'test:browser', args: '--no-build', after: 'build' },
];

const WIDTH = Math.max(...PHASES.map((p) => p.name.length));
type Result = { status: 'passed' | 'failed' | 'not run'; seconds: number; code?: number | null };
const results = new Map<string, Promise<Result>>();
const t0 = performance.now();

function prefixed(name: string, chunk: Buffer, rest: { s: string }, out: NodeJS.WriteStream) {
  rest.s += chunk.toString('utf8');
  const lines = rest.s.split('\n');
  rest.s = lines.pop() ?? '';
  for (const l of lines) out.write(`${name.padEnd(WIDTH)} │ ${l}\n`);
}

function run(p: Phase): Promise<Result> {
  const cmd = `${scripts[p.script]}${p.args ? ` ${p.args}` : ''}`;
  console.log(`${p.name.padEnd(WIDTH)} ▶ ${cmd}`);
  const start = performance.now();
  // As npm runs a script: through the shell, node_modules/.bin on PATH (npm test sets it).
  const child = spawn(cmd, {
    cwd: ROOT,
    shell: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...p.env },
  });
  const out = { s: '' };
  const err = { s: '' };
  child.stdout.on('data', (c: Buffer) => prefixed(p.name, c, out, process.stdout));
  child.stderr.on('data', (c: Buffer) => prefixed(p.name, c, err, process.stderr));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      for (const [r, s] of [
        [out, process.stdout],
        [err, process.stderr],
      ] as const)
        if (r.s) s.write(`${p.name.padEnd(WIDTH)} │ ${r.s}\n`);
      const seconds = (performance.now() - start) / 1000;
      const status = code === 0 ? 'passed' : 'failed';
      console.log(
        `${p.name.padEnd(WIDTH)} ${status === 'passed' ? '✓' : '✗'} ${status} in ${seconds.toFixed(1)} s`,
      );
      resolve({ status, seconds, code });
    });
  });
}

for (const p of PHASES) {
  const dep = p.after ? results.get(p.after) : undefined;
  results.set(
    p.name,
    dep
      ? dep.then((d) => (d.status === 'passed' ? run(p) : { status: 'not run' as const, seconds: 0 }))
      : run(p),
  );
}

const done = await Promise.all(PHASES.map(async (p) => [p, await results.get(p.name)!] as const));
const total = (performance.now() - t0) / 1000;
console.log('\nnpm test: phases (side by side; wall time each)');
for (const [p, r] of done)
  console.log(
    `  ${p.name.padEnd(WIDTH)}  ${r.status.padEnd(7)}  ${r.seconds.toFixed(1).padStart(6)} s  ${p.after ? `after ${p.after}` : 'from the start'}`,
  );
const failed = done.filter(([, r]) => r.status !== 'passed').map(([p]) => p.name);
console.log(
  failed.length
    ? `npm test FAILED (${failed.join(', ')}) after ${total.toFixed(1)} s`
    : `npm test: every phase passed in ${total.toFixed(1)} s`,
);
process.exit(failed.length ? 1 : 0);
