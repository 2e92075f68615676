/**
 * Trace pictures (issue 6): a 3-thread, 40-step counterexample drawn by traceToSvg (goals: < 30
 * KiB, < 50 ms), timed in Node and inserted into a page in Debian's chromium (innerHTML + layout),
 * and the static pictures the build wrote (dist/_traces/, if built). Figures only.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch } from '../../spec-tests/browser/chromium.ts';
import { type Counterexample, defineModel, explore } from '../../src/explorer/index.ts';
import { traceToSvg, traceToTable } from '../../src/live/shared/trace-svg.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** Three threads (14, 13, 13 steps) writing shared cells under and outside a lock: 40 steps. */
function forty(): Counterexample {
  const m = defineModel('forty', (b) => {
    const xs = [0, 1, 2].map((i) => b.cell(`folio#${i}.mapcount`, 0));
    const lock = b.mutex('ptl');
    for (const t of [0, 1, 2])
      b.thread(`T${t}`, function* () {
        for (let i = 0; i < (t === 0 ? 8 : 7); i++) {
          yield `zap_pte_range: step ${i} of a kernel path`;
          xs[(t + i) % 3].store(i);
        }
        yield lock.lock('pte_offset_map_lock()');
        yield 'ptep_get_and_clear()';
        xs[t].store(-1);
        yield lock.unlock('pte_unmap_unlock()');
        for (let i = 0; i < 3; i++) yield `tlb_finish_mmu: ${i}`;
      });
    b.final('never', () => false);
  });
  const c = explore(m, { strategy: 'random', runs: 1, seed: 3 }).counterexample;
  if (c?.steps.length !== 40) throw new Error(`trace bench: expected 40 steps, got ${c?.steps.length}`);
  return c;
}

export default async function traceBench() {
  const cex = forty();
  const svg = traceToSvg(cex);
  const bytes = Buffer.byteLength(svg);
  const N = 200;
  for (let i = 0; i < 20; i++) traceToSvg(cex, { current: i % cex.steps.length });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) traceToSvg(cex, { current: i % cex.steps.length });
  const nodeMs = (performance.now() - t0) / N;

  const browser = await launch();
  let insert: { first: number; median: number; max: number };
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.setContent('<!doctype html><body><div id="host"></div></body>');
    insert = await page.evaluate((s) => {
      const host = document.getElementById('host') as HTMLElement;
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        host.innerHTML = '';
        const t = performance.now();
        host.innerHTML = s;
        host.getBoundingClientRect(); // force layout
        (host.querySelector('svg') as SVGSVGElement).getBBox();
        times.push(performance.now() - t);
      }
      const first = times[0];
      times.sort((a, b) => a - b);
      return { first, median: times[15], max: times[29] };
    }, svg);
  } finally {
    await browser.close();
  }

  const rows: [string, string, string][] = [
    [
      `SVG, ${new Set(cex.steps.map((s) => s.thread)).size} threads × ${cex.steps.length} steps`,
      `${kib(bytes)} (${kib(gzipSync(svg, { level: 9 }).length)} gz); table ${kib(Buffer.byteLength(traceToTable(cex)))}`,
      `goal < 30 KiB: ${bytes < 30 * 1024 ? 'met' : 'MISSED'}`,
    ],
    [
      `traceToSvg in Node (mean of ${N})`,
      `${nodeMs.toFixed(2)} ms`,
      `goal < 50 ms: ${nodeMs < 50 ? 'met' : 'MISSED'}`,
    ],
    [
      'inserted in chromium (innerHTML + layout, median of 30)',
      `${insert.median.toFixed(2)} ms (first, cold: ${insert.first.toFixed(1)} ms; max ${insert.max.toFixed(1)})`,
      `goal < 50 ms: ${insert.median < 50 ? 'met' : 'MISSED'}`,
    ],
  ];
  const dir = join(ROOT, 'dist/_traces');
  if (existsSync(dir)) {
    const files = readdirSync(dir).map((f) => statSync(join(dir, f)).size);
    rows.push([
      'static pictures of the built site (dist/_traces/, light + dark)',
      `${files.length} files, largest ${kib(Math.max(...files))}, total ${kib(files.reduce((a, b) => a + b, 0))}`,
      'loaded lazily, one theme',
    ]);
  }
  console.log('\n## trace pictures');
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
}
