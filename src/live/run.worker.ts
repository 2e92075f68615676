/// <reference types="vite/client" />
/**
 * The runner: one module Web Worker per Run (src/live/controller.ts starts it and terminates it on
 * timeout or Stop, so a runaway block never touches the page). It runs one block exactly as vitest
 * does: imports become `await import(…)` on the same lines (src/live/imports.ts), sucrase strips the
 * types keeping every line where it was, the explorer (and the simulator, once src/sim exists) is
 * bundled in, and `expect` is vitest's (src/live/expect.ts). The block runs as a blob module so
 * stack traces name its own lines.
 */
import { transform } from 'sucrase';
import * as explorer from '../explorer/index.ts';
import { capture, patchExplorer, simFor } from './capture.ts';
import { createExpect } from './expect.ts';
import { applyEdits, ImportError, importEdits, lineCol } from './imports.ts';
import type { ExploreSummary, FromWorker, ToWorker } from './protocol.ts';

// The simulator is bundled when it exists; until then `import … from 'mmspec'` fails clearly.
const sim = Object.values(import.meta.glob('../sim/index.ts', { eager: true }))[0] as object | undefined;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);
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
let last = 0;

let modules: Record<string, object | undefined> = {};

function load(spec: string): Promise<object> {
  const m = modules[spec];
  if (!m)
    return Promise.reject(
      new Error(`"${spec}" is not available in the page yet (the simulator has not landed in src/sim)`),
    );
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

for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => post({ type: 'log', level, text: args.map(show).join(' ') });
}

/** The block line of the first stack frame in the block's own module, if any. */
function blockLine(err: unknown, url: string): { line: number; column: number } | null {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const i = stack.indexOf(`${url}:`);
  if (i < 0) return null;
  const m = /^:(\d+):(\d+)/.exec(stack.slice(i + url.length));
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const { code, replay = null, variant = null } = e.data;
  modules = {
    'mmspec/explorer': explorer,
    mmspec: sim && simFor(sim, null, variant),
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
  } catch (err) {
    const e2 = err as Error & { offset?: number; loc?: { line: number; column: number } };
    const at =
      err instanceof ImportError
        ? lineCol(code, err.offset)
        : e2.loc
          ? { line: e2.loc.line, column: e2.loc.column + 1 }
          : null;
    post({ type: 'done', status: 'error', ms: 0, error: { name: e2.name, message: e2.message, at } });
    return;
  }
  const g = globalThis as Record<string, unknown>;
  g.__mmspecImport = load;
  g.expect = createExpect();
  const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
  try {
    await import(/* @vite-ignore */ url);
    post({ type: 'done', status: 'pass', ms: performance.now() - t0 });
  } catch (err) {
    const e2 = err instanceof Error ? err : new Error(String(err));
    post({
      type: 'done',
      status: 'fail',
      ms: performance.now() - t0,
      error: { name: e2.name, message: e2.message, at: blockLine(e2, url) },
    });
  } finally {
    URL.revokeObjectURL(url);
  }
};

post({ type: 'ready' });
