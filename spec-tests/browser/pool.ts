/**
 * Independent browser checks run side by side (issue 12: `npm test` under 3 minutes on 2 cores):
 * a page spends much of its time waiting (navigation, a worker's run, chromium's IPC), so a few
 * pages at once fill both cores. Every task still runs and must pass.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

/**
 * How many pages at once: MMSPEC_BROWSER_PAGES, else 2. Measured on this 2-core machine (layout
 * checks alone, load 6 from other work): 1 page 151 s wall, 168 CPU-s; 2 pages 87 s, 146 CPU-s;
 * 3 pages 129 s, 184 CPU-s (axe and layout are CPU-bound in the renderers).
 */
export const PAGES_AT_ONCE = Math.max(1, Number(process.env.MMSPEC_BROWSER_PAGES) || 2);

/**
 * Run `tasks`, at most `limit` at a time, in order of start. After a failure no new task starts;
 * the ones running finish, then the first failure is thrown. Results keep the tasks' order.
 */
export async function inPool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  let failure: { e: unknown } | null = null;
  const lane = async () => {
    while (!failure && next < tasks.length) {
      const i = next++;
      try {
        out[i] = await tasks[i]();
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  if (failure) throw (failure as { e: unknown }).e;
  return out;
}

const sink = new AsyncLocalStorage<string[]>();
const print = console.log.bind(console);
// Inside `grouped`, console.log collects the task's lines; they are printed together when it ends.
console.log = (...args: unknown[]) => {
  const lines = sink.getStore();
  if (lines) lines.push(format(...args));
  else print(...args);
};

/** Wall time per task (they overlap), printed at the end of the pass. */
export const timings: [string, number][] = [];

/**
 * Run `f` as one task of the pass: its console.log lines are printed as one block under `title`
 * when it ends (passed or failed), with its wall time, so tasks side by side stay readable.
 */
export async function grouped<T>(title: string, f: () => Promise<T>): Promise<T> {
  const lines: string[] = [];
  const t0 = performance.now();
  let ok = false;
  try {
    const r = await sink.run(lines, f);
    ok = true;
    return r;
  } finally {
    const s = (performance.now() - t0) / 1000;
    timings.push([title, s]);
    print([title, ...lines, `  ${ok ? '⏱' : '✗ failed after'} ${s.toFixed(1)} s`].join('\n'));
  }
}

export function timingTable(): string {
  const w = Math.max(...timings.map(([n]) => n.length));
  return timings.map(([n, s]) => `  ${n.padEnd(w)}  ${s.toFixed(1).padStart(6)} s`).join('\n');
}
