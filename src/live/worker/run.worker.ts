/// <reference types="vite/client" />
/**
 * The runner: one module Web Worker per Run (page/run.ts starts it and terminates it on timeout or
 * Stop, so a runaway block never touches the page). It runs one block exactly as vitest does:
 * imports become `await import(…)` on the same lines (shared/imports.ts), sucrase strips the types
 * keeping every line where it was, the explorer and the simulator are bundled in, and `expect` is
 * vitest's (shared/expect.ts). The block runs as a blob module so
 * stack traces name its own lines.
 *
 * The page trusts only what this runner reports, on a MessagePort it received with the job and
 * keeps to itself; before the block is imported the worker is locked down (sandbox.ts: no
 * network, no postMessage, no code from strings) and the explorer's classes are frozen, so the
 * status, the counts and the counterexamples are the runner's observations of the block, never a
 * message the block wrote.
 */
import { transform } from 'sucrase';
import * as explorer from '../../explorer/index.ts';
import * as sim from '../../sim/index.ts';
import { capture, patchExplorer, simFor } from '../shared/capture.ts';
import { createExpect } from '../shared/expect.ts';
import { applyEdits, ImportError, importEdits, lineCol } from '../shared/imports.ts';
import type { ExploreSummary, FromWorker, ToWorker } from '../shared/protocol.ts';
import { lockDown, refuseImports, SandboxError } from './sandbox.ts';

// The runner's own reply channel: set from the job's port, through functions captured here
// before any block code exists (a block that patches prototypes cannot intercept it).
const portPost = MessagePort.prototype.postMessage;
const apply = Reflect.apply;
let port: MessagePort | null = null;
const post = (m: FromWorker) => {
  if (port) apply(portPost, port, [m]);
};
const createObjectURL = URL.createObjectURL.bind(URL);
const revokeObjectURL = URL.revokeObjectURL.bind(URL);
const PROGRESS_SLICE_MS = 100;

function summarize(r: explorer.ExploreResult, index: number): ExploreSummary {
  return {
    index,
    model: r.model,
    strategy: r.strategy,
    verdict: r.verdict,
    text: r.text,
    counts: { ...r.counts },
    counterexample: r.counterexample,
  };
}

/**
 * Every exploration runs in slices, so the page sees progress between slices (and Stop is a
 * terminate), and its result is reported to the page (capture.ts patches the class, so
 * `explore()` from mmspec/explorer and from mmspec are both covered).
 */
patchExplorer(explorer, PROGRESS_SLICE_MS);
/** What reports results must not be patchable by the block: the explorer's classes and functions. */
function freezeModule(mod: object) {
  for (const v of Object.values(mod))
    if (typeof v === 'function') {
      if (v.prototype) Object.freeze(v.prototype);
      Object.freeze(v);
    }
}
freezeModule(explorer);
let last = 0;

let modules: Record<string, object> = {};

function load(spec: string): Promise<object> {
  const m = modules[spec];
  // importEdits() admits only these two names; anything else is the runner's bug.
  if (!m) return Promise.reject(new Error(`"${spec}" is not a module a spec block can import`));
  return Promise.resolve(m);
}

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

// What a block prints reaches the page as text, and only so much of it: a block cannot flood the
// page's memory through its output.
const MAX_LOG_LINE = 16 * 1024;
const MAX_LOG_TOTAL = 256 * 1024;
let logged = 0;
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => {
    if (logged >= MAX_LOG_TOTAL) return;
    let text = args.map(show).join(' ');
    if (text.length > MAX_LOG_LINE)
      text = `${text.slice(0, MAX_LOG_LINE)}… (${text.length - MAX_LOG_LINE} more characters)`;
    logged += text.length;
    if (logged >= MAX_LOG_TOTAL) text += `\n… output stopped at ${MAX_LOG_TOTAL / 1024} KiB`;
    post({ type: 'log', level, text });
  };
}

/** The block line of the first stack frame in the block's own module, if any. */
function blockLine(err: unknown, url: string): { line: number; column: number } | null {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const i = stack.indexOf(`${url}:`);
  if (i < 0) return null;
  const m = /^:(\d+):(\d+)/.exec(stack.slice(i + url.length));
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  // One job per worker: take the port, then nothing more arrives on this side.
  self.onmessage = null;
  port = e.ports[0] ?? null;
  if (!port) return;
  runJob(e.data);
};

function fail(
  status: 'fail' | 'error',
  ms: number,
  err: unknown,
  at: { line: number; column: number } | null,
) {
  // A thrown value is the block's: read its name and message as strings, defensively.
  let name = 'Error';
  let message = '';
  try {
    name = String((err as Error)?.name ?? 'Error').slice(0, 200);
    message = String((err as Error)?.message ?? err).slice(0, MAX_LOG_LINE);
  } catch {
    message = 'the block threw a value that cannot be shown';
  }
  post({ type: 'done', status, ms, error: { name, message, at } });
}

async function runJob({ code, replay = null, variant = null }: ToWorker) {
  modules = {
    'mmspec/explorer': explorer,
    mmspec: simFor(sim, null, variant),
  };
  capture({
    replay,
    progress(model, p) {
      const t = performance.now();
      if (t - last > 200) {
        last = t;
        post({ type: 'progress', model, executions: p.executions, perSec: p.executionsPerSec });
      }
    },
    result(r, index) {
      post({ type: 'explore', result: summarize(r, index) });
    },
  });
  const t0 = performance.now();
  let js: string;
  try {
    const edited = applyEdits(code, importEdits(code, '__mmspecImport'));
    js = transform(edited, {
      transforms: ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
    }).code;
    refuseImports(js);
  } catch (err) {
    const e2 = err as Error & { offset?: number; loc?: { line: number; column: number } };
    const at =
      err instanceof ImportError
        ? lineCol(code, err.offset)
        : err instanceof SandboxError
          ? err.at
          : e2.loc
            ? { line: e2.loc.line, column: e2.loc.column + 1 }
            : null;
    fail('error', 0, err, at);
    return;
  }
  const g = globalThis as Record<string, unknown>;
  g.__mmspecImport = load;
  g.expect = createExpect();
  const url = createObjectURL(new Blob([js], { type: 'text/javascript' }));
  lockDown();
  try {
    await import(/* @vite-ignore */ url);
    post({ type: 'done', status: 'pass', ms: performance.now() - t0 });
  } catch (err) {
    let at: { line: number; column: number } | null = null;
    try {
      at = blockLine(err, url);
    } catch {}
    fail('fail', performance.now() - t0, err, at);
  } finally {
    revokeObjectURL(url);
  }
}
