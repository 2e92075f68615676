/**
 * Rule checks in the browser: every rule's exhaustive holds check (RULES, the extra scenarios and
 * races) run in Debian's chromium (playwright-core, the browser of the browser pass), best of 3
 * warm runs, and once cold in a Worker of its own (as a reader's Run: each Run gets a new
 * worker), beside the same check in Node in this run. Goal (issue 12): ≤ 150 ms in Node (warm),
 * ≤ 300 ms in the browser (warm and cold). The time is explore()'s own (ExploreResult.elapsedMs):
 * the page's Run adds a worker start, the block's transform and the drawing of the result, which
 * the browser pass reports per block. Skipped with a note when chromium is missing.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHROMIUM, launch } from '../../spec-tests/browser/chromium.ts';
import { RULES } from '../../src/sim/rules.ts';
import { EXTRA_RULE_SCENARIOS } from '../../src/sim/rules-extra.ts';
import { ALL, bestOf3 } from '../rule-checks.ts';

/** What bench/browser-entry.ts puts on the page. */
interface BenchGlobal {
  mmspecBench: { best(i: number): { ms: number; executions: number } };
}

/** In the page: check i run once in a Worker of its own, cold (the bundle as the worker's script). */
function coldInWorker(i: number): Promise<{ ms: number; executions: number }> {
  const src = (document.getElementById('bench-src') as HTMLScriptElement).text;
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => {
      w.terminate();
      resolve(e.data);
    };
    w.onerror = (e) => reject(new Error(e.message));
    w.postMessage(i);
  });
}

const ENTRY = fileURLToPath(new URL('../browser-entry.ts', import.meta.url));

export default async function run(): Promise<void> {
  console.log('\n## Rule checks in the browser (explore() time: best of 3 warm runs, and one cold)\n');
  if (!existsSync(CHROMIUM)) {
    console.log(
      `skipped: no chromium at ${CHROMIUM} (apt install chromium-headless-shell, or set CHROMIUM_PATH)`,
    );
    return;
  }
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: true,
  });
  const { context, close } = await launch();
  try {
    const page = await context.newPage();
    await page.setContent('<!doctype html><title>mmspec bench</title>');
    const src = bundle.outputFiles[0].text;
    // kept as text for the cold workers (type "text/plain": not run in the page)
    await page.evaluate((t) => {
      const s = document.createElement('script');
      s.type = 'text/plain';
      s.id = 'bench-src';
      s.text = t;
      document.head.append(s);
    }, src);
    await page.addScriptTag({ content: src });
    const version = await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? '?');
    const rows: string[][] = [];
    let worstNode = 0;
    let worstBrowser = 0;
    let worstCold = 0;
    for (let i = 0; i < ALL.length; i++) {
      const r = ALL[i];
      const cold = await page.evaluate(coldInWorker, i);
      const b = await page.evaluate((idx) => (globalThis as unknown as BenchGlobal).mmspecBench.best(idx), i);
      const n = bestOf3(i);
      if (cold.executions !== b.executions)
        throw new Error(`${r.id}: ${cold.executions} executions in a cold worker, ${b.executions} warm`);
      worstCold = Math.max(worstCold, cold.ms);
      if (n.executions !== b.executions)
        throw new Error(`${r.id}: ${n.executions} executions in Node, ${b.executions} in the browser`);
      worstNode = Math.max(worstNode, n.ms);
      worstBrowser = Math.max(worstBrowser, b.ms);
      rows.push([
        i < RULES.length
          ? r.id
          : `${r.id} (${i < RULES.length + EXTRA_RULE_SCENARIOS.length ? 'extra' : 'race'})`,
        r.mutation,
        String(b.executions),
        n.ms.toFixed(0),
        b.ms.toFixed(0),
        cold.ms.toFixed(0),
        (b.ms / n.ms).toFixed(2),
        n.ms <= 150 && Math.max(b.ms, cold.ms) <= 300 ? 'yes' : 'NO',
      ]);
    }
    console.log(`chromium: ${version}\n`);
    console.log(
      '| rule | mutation | executions | Node ms | browser ms | browser cold ms | browser/Node | ≤150 / ≤300 |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log(
      "browser cold = the first run in a fresh Worker, nothing run there before (a reader's Run: each Run gets a new worker); its time is explore()'s own, as in the other columns.",
    );
    console.log(
      `\nslowest holds check: ${worstNode.toFixed(0)} ms in Node, ${worstBrowser.toFixed(0)} ms in the browser (warm), ${worstCold.toFixed(0)} ms cold in a fresh worker`,
    );
  } finally {
    await close();
  }
}
