/**
 * Build time (Node, called by the remark plugin): run each spec block once, exactly as the page's
 * runner does (imports made dynamic on the same lines, sucrase strips the types, vitest's expect),
 * and keep what its explorations found, so every counterexample is drawn into the static page.
 * A block that throws fails the build with its MDX file:line: a chapter that does not run is not
 * published.
 */
import { runInThisContext } from 'node:vm';
import { transform } from 'sucrase';
import * as explorer from '../../explorer/index.ts';
import * as sim from '../../sim/index.ts';
import {
  capture,
  parseVariant,
  patchExplorer,
  simFor,
  type Variant,
  variantName,
} from '../shared/capture.ts';
import { createExpect } from '../shared/expect.ts';
import { BlockError, mdxPosition, type SpecBlock } from '../shared/extract.ts';
import { applyEdits, ImportError, importEdits, lineCol } from '../shared/imports.ts';
import { runBlock } from './run-block.ts';

patchExplorer(explorer, 1e9);

export interface BuiltTrace {
  /** The exploration's number in the block (0-based), as the page's runner numbers it. */
  index: number;
  model: string;
  verdict: explorer.ExploreResult['verdict'];
  counterexample: explorer.Counterexample;
}

export interface BlockRun {
  /** Explorations of the block that found a counterexample. */
  traces: BuiltTrace[];
  explorations: number;
  /** The variants its scenarios were built with (`today+delayed_anon_rmap`), in order, distinct. */
  variants: string[];
  ms: number;
}

const silent = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
// Synchronous, as in vitest: run-block.ts stops a block that never returns at its timeout.
const PREFIX = '(function (__mmspecImport, expect, console) {';

// Blocks share the patched explorer: run them one at a time (MDX files are compiled concurrently).
let queue: Promise<unknown> = Promise.resolve();
const cache = new Map<string, Promise<BlockRun>>();

export function runBlockAtBuild(block: SpecBlock): Promise<BlockRun> {
  const key = `${block.file}\u0000${block.index}\u0000${block.code}`;
  let p = cache.get(key);
  if (!p) {
    p = queue.then(() => runOne(block));
    queue = p.catch(() => {});
    cache.set(key, p);
  }
  return p;
}

async function runOne(block: SpecBlock): Promise<BlockRun> {
  const t0 = performance.now();
  for (const v of block.variants) {
    try {
      sim.variantOf(parseVariant(v) as Parameters<typeof sim.variantOf>[0]);
    } catch (e) {
      throw new BlockError(block.file, block.line, 1, `variants="…": ${(e as Error).message}`);
    }
  }
  const at = (line: number, column: number, reason: string) => {
    const p = mdxPosition(block, line, column);
    return new BlockError(block.file, p.line, p.column, reason);
  };
  let js: string;
  try {
    const edited = applyEdits(block.code, importEdits(block.code, '__mmspecImport', { sync: true }));
    js = transform(edited, {
      transforms: ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
    }).code;
  } catch (e) {
    if (e instanceof ImportError) {
      const p = lineCol(block.code, e.offset);
      throw at(p.line, p.column, e.message);
    }
    const l = (e as { loc?: { line: number; column: number } }).loc;
    throw at(l?.line ?? 1, (l?.column ?? 0) + 1, `syntax error: ${(e as Error).message}`);
  }
  const variants: string[] = [];
  const seen = (v: Variant) => {
    const n = variantName(v);
    if (!variants.includes(n)) variants.push(n);
  };
  const modules: Record<string, object> = { 'mmspec/explorer': explorer, mmspec: simFor(sim, seen, null) };
  const traces: BuiltTrace[] = [];
  let explorations = 0;
  capture({
    result(r, index) {
      explorations++;
      if (r.counterexample)
        traces.push({ index, model: r.model, verdict: r.verdict, counterexample: r.counterexample });
    },
  });
  const filename = `${block.file}#block${block.index + 1}.js`;
  try {
    const fn = runInThisContext(`${PREFIX}${js}\n})`, { filename }) as (
      load: (s: string) => object,
      expect: unknown,
      console: unknown,
    ) => void;
    runBlock(`${block.file}:${block.line}`, block.timeoutMs, () =>
      fn((s) => modules[s], createExpect(), silent),
    );
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const reason = `the block fails at build time: ${err.name}: ${err.message}`;
    const i = (err.stack ?? '').indexOf(`${filename}:`);
    const m = i < 0 ? null : /^:(\d+):(\d+)/.exec((err.stack ?? '').slice(i + filename.length));
    if (!m) throw new BlockError(block.file, block.line, 1, reason);
    const line = Number(m[1]);
    throw at(line, Number(m[2]) - (line === 1 ? PREFIX.length : 0), reason);
  } finally {
    capture(null);
  }
  return { traces, explorations, variants, ms: performance.now() - t0 };
}
