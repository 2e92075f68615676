/**
 * spin against mmspec on lastzero(N), N = 10, 11, 12 (issue 12): the same program
 * (bench/spin/lastzero.pml says how it maps to src/explorer/classics.ts), both searched
 * exhaustively for safety on one core, from the same `npm run bench` run. Skipped, with one line,
 * when `spin` (or a C compiler) is not on PATH. pan is built in a fresh temp dir, never in the repo.
 *
 * spin's setting: `spin -DN=<n> -a lastzero.pml; cc -O2 -DSAFETY -o pan pan.c; ./pan -w<w>`:
 * safety only (no cycle checks: mmspec checks safety), exhaustive (no bitstate), with spin's own
 * partial-order reduction on (its default; mmspec runs its own, Optimal DPOR). On lastzero(10) POR
 * stores 35% fewer states than -DNOREDUCE (2.48 M against 3.80 M) and its pan runs in about half
 * the time, so it is spin's better setting.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastzero, traceCounts } from '../../src/explorer/classics.ts';
import { gcNote, MB, measure, table } from '../measure.ts';

/**
 * N and pan's hash table size -w (2^w slots), sized to the state space as spin's manual advises
 * (2^w ≥ the states pan stores: 2.5 M, 9.3 M, 34.6 M). At N = 12 the default -w24 ran in 75 s and
 * 2.9 GB against 65 s and 2.7 GB with -w26 (one run each, the other core busy).
 */
const SIZES: Array<[n: number, w: number]> = [
  [10, 22],
  [11, 24],
  [12, 26],
];
const PML = fileURLToPath(new URL('../spin/lastzero.pml', import.meta.url));

function onPath(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A number as pan prints it: big ones in %g notation (1.2e+08). */
const G = '([\\d.]+(?:e[+-]?\\d+)?)';

function num(out: string, re: RegExp, what: string): number {
  const m = re.exec(out);
  if (!m) throw new Error(`pan output has no ${what}:\n${out}`);
  return Number(m[1]);
}

export default function run(): void {
  console.log('\n## spin vs mmspec: lastzero(N), exhaustive safety search, one core\n');
  if (!onPath('spin', ['-V'])) {
    console.log('skipped: spin is not on PATH (Debian: apt-get install spin)');
    return;
  }
  const cc = ['gcc', 'cc'].find((c) => onPath(c, ['--version']));
  if (!cc) {
    console.log('skipped: spin is on PATH but no C compiler (gcc or cc) is, to build its pan');
    return;
  }
  const version = sh('spin', ['-V'], tmpdir()).trim();
  const dir = mkdtempSync(join(tmpdir(), 'mmspec-spin-'));
  const rows: string[][] = [];
  try {
    copyFileSync(PML, join(dir, 'lastzero.pml'));
    for (const [n, w] of SIZES) {
      sh('spin', [`-DN=${n}`, '-a', 'lastzero.pml'], dir);
      let t = performance.now();
      sh(cc, ['-O2', '-DSAFETY', '-o', 'pan', 'pan.c'], dir);
      const compileMs = performance.now() - t;
      t = performance.now();
      const out = sh('./pan', [`-w${w}`], dir);
      const spinMs = performance.now() - t;
      const errors = num(out, /errors: (\d+)/, 'error count');
      const stored = num(out, new RegExp(`${G} states, stored`), 'states stored');
      const transitions = num(out, new RegExp(`${G} transitions \\(= stored\\+matched\\)`), 'transitions');
      const spinMB = num(out, new RegExp(`${G}\\s+total actual memory usage`), 'memory usage');

      const { best, peakHeapBytes } = measure(() => lastzero(n));
      if (best.verdict !== 'holds' || best.counts.traces !== traceCounts.lastzero(n))
        throw new Error(`mmspec on lastzero(${n}): ${best.text}`);
      const mmMB = peakHeapBytes / 2 ** 20;
      rows.push([
        String(n),
        String(w),
        String(errors),
        String(stored),
        String(transitions),
        spinMs.toFixed(0),
        `${spinMB.toFixed(1)} MB`,
        compileMs.toFixed(0),
        String(best.counts.executions),
        String(best.counts.newSteps),
        String(best.counts.steps),
        best.elapsedMs.toFixed(0),
        MB(peakHeapBytes),
        (spinMs / best.elapsedMs).toFixed(1),
        (spinMB / mmMB).toFixed(1),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = [
    'N',
    'pan -w',
    'spin errors',
    'spin states stored',
    'spin transitions',
    'spin ms',
    'spin memory',
    'spin cc ms',
    'mmspec executions',
    'mmspec new steps',
    'mmspec steps',
    'mmspec ms',
    'mmspec peak heap',
    'time spin/mmspec',
    'memory spin/mmspec',
  ];
  console.log(table([head, ...rows], 1));
  console.log(`
${version}; per N: spin -DN=<N> -a lastzero.pml && ${cc} -O2 -DSAFETY -o pan pan.c && ./pan -w<w>
(partial-order reduction on, spin's default; safety only; exhaustive; hash table 2^w slots, -m10000).
spin ms = wall time of ./pan alone (spawned, process start included; spin -a and cc not counted,
cc shown apart); spin memory = pan's own "total actual memory usage" (states + the preallocated
2^w × 8 B hash table + DFS stack). mmspec ms = Optimal DPOR's elapsed time, best of 3 warm runs
in this process (JIT warm); mmspec peak heap = max heapUsed sampled after each 5 ms slice of a
separate run, minus heapUsed before it; ${gcNote}.
time spin/mmspec = spin ms / mmspec ms; memory spin/mmspec = spin memory / mmspec peak heap
(> 1: spin slower / bigger). spin stores states (a stateful search); mmspec stores none and runs
each of its executions (= Mazurkiewicz traces here) from the initial state.`);
}
