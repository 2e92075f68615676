/**
 * Page bench: what a chapter costs a reader, measured in Debian's chromium against dist/ (built if
 * missing). Bytes are what the server sent, gzipped here (gzip -9) as a static host would serve
 * them. Goals (issue 4): ≤ 35 KiB of HTML+CSS+JS before interaction; warm Run of a small block
 * < 300 ms. Figures only: nothing here fails a test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch } from '../../spec-tests/browser/chromium.ts';
import { serve } from '../../spec-tests/browser/serve.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const CHAPTER = '/explorer/';
const WARM_RUNS = 15;

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export default async function pageBench() {
  if (!existsSync(join(DIST, 'explorer/index.html'))) {
    console.log('page: dist/ missing, building the site…');
    execFileSync(join(ROOT, 'node_modules/.bin/astro'), ['build', '--silent'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
  }
  let log: { path: string; raw: number; gz: number; kind: string }[] = [];
  const gzCache = new Map<string, number>();
  const { server, url } = await serve(DIST, 0, (path, file) => {
    const body = readFileSync(file);
    let gz = gzCache.get(file);
    if (gz === undefined) gzCache.set(file, (gz = gzipSync(body, { level: 9 }).length));
    const ext = extname(file);
    const kind = ext === '.html' ? 'html' : ext === '.css' ? 'css' : ext === '.js' ? 'js' : 'other';
    log.push({ path, raw: body.length, gz, kind });
  });
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    const take = () => {
      const l = log;
      log = [];
      return l;
    };
    const sum = (l: typeof log, kinds = ['html', 'css', 'js']) =>
      l
        .filter((r) => kinds.includes(r.kind))
        .reduce((a, r) => ({ raw: a.raw + r.raw, gz: a.gz + r.gz }), {
          raw: 0,
          gz: 0,
        });

    await page.goto(url + CHAPTER, { waitUntil: 'networkidle' });
    await page.waitForTimeout(500);
    const initial = take();
    const byKind = ['html', 'css', 'js'].map((k) => `${k} ${kib(sum(initial, [k]).gz)}`).join(', ');

    // The smallest block on the page runs warm.
    const block = page.locator('spec-block').nth(1);
    const blockId = (await block.getAttribute('id')) ?? '';
    const runOnce = () =>
      page.evaluate(async (id) => {
        const el = document.getElementById(id)!;
        const t0 = performance.now();
        const done = new Promise<void>((resolve) => {
          const mo = new MutationObserver(() => {
            const s = el.dataset.state;
            if (s && s !== 'running') {
              mo.disconnect();
              resolve();
            }
          });
          mo.observe(el, { attributes: true, attributeFilter: ['data-state'] });
        });
        (el.querySelector('button[data-act="run"]') as HTMLButtonElement).click();
        await done;
        return { ms: performance.now() - t0, state: el.dataset.state };
      }, blockId);

    const first = await runOnce();
    await page.waitForTimeout(1000); // the spare worker for the next run
    const firstRun = take();
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const r = await runOnce();
      if (r.state !== 'pass') throw new Error(`page bench: the warm block did not pass (${r.state})`);
      warm.push(r.ms);
      await page.waitForTimeout(300);
    }
    warm.sort((a, b) => a - b);
    take();

    await block.locator('button[data-act="edit"]').click();
    await block.locator('.cm-editor').waitFor();
    await page.waitForTimeout(3000);
    // Edit focuses the editor, which starts the type worker: report the two apart.
    const edit = take();
    const isTypes = (r: { path: string }) => /types\.worker/.test(r.path);
    const firstEdit = edit.filter((r) => !isTypes(r));
    const types = edit.filter(isTypes);

    const median = warm[Math.floor(warm.length / 2)];
    const rows: [string, string, string][] = [
      [
        `before interaction (${CHAPTER}: ${byKind})`,
        `${kib(sum(initial).gz)} gz (${kib(sum(initial).raw)} raw)`,
        `goal ≤ 35 KiB: ${sum(initial).gz <= 35 * 1024 ? 'met' : 'MISSED'}`,
      ],
      [
        'first Run (runtime + runner worker)',
        `${kib(sum(firstRun).gz)} gz (${kib(sum(firstRun).raw)} raw)`,
        `first Run took ${first.ms.toFixed(0)} ms`,
      ],
      ['first Edit (CodeMirror 6)', `${kib(sum(firstEdit).gz)} gz (${kib(sum(firstEdit).raw)} raw)`, ''],
      [
        'type worker (started by the first focus of an editor)',
        `${kib(sum(types, ['js', 'other']).gz)} gz (${kib(sum(types, ['js', 'other']).raw)} raw)`,
        '',
      ],
      [
        `warm Run, small block (median of ${WARM_RUNS})`,
        `${median.toFixed(0)} ms (min ${warm[0].toFixed(0)}, max ${warm[warm.length - 1].toFixed(0)})`,
        `goal < 300 ms: ${median < 300 ? 'met' : 'MISSED'}`,
      ],
    ];
    // Every chapter, before interaction, from dist/: its HTML plus the stylesheets and scripts it
    // links and the modules those import statically (images load lazily, search on first use).
    const gzOf = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
    // A module's static imports load with it (before interaction); dynamic import() waits for use.
    const withStaticImports = (entries: string[]) => {
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        if (!file.endsWith('.js')) return;
        for (const m of readFileSync(file, 'utf8').matchAll(
          /(?:^|[;}\s])import\s*(?:[\w{},*\s$]+from\s*)?["'](\.\.?\/[^"']+)["']/g,
        ))
          visit(join(dirname(file), m[1]));
      };
      for (const f of entries) visit(f);
      return seen;
    };
    const published = [
      '',
      ...readdirSync(DIST, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !/^(_|pagefind|fixtures)/.test(d.name))
        .map((d) => d.name),
    ];
    for (const name of published) {
      const html = join(DIST, name, 'index.html');
      if (!existsSync(html)) continue;
      const text = readFileSync(html, 'utf8');
      const linked = [
        ...text.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g),
        ...text.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
        ...text.matchAll(/<script[^>]+src="([^"]+)"/g),
      ].map((m) => join(DIST, m[1].split('?')[0]));
      const files = withStaticImports(linked.filter(existsSync));
      const gz = gzOf(html) + [...files].reduce((n, f) => n + gzOf(f), 0);
      rows.push([
        `  /${name ? `${name}/` : ''} before interaction (HTML + linked CSS/JS)`,
        `${kib(gz)} gz`,
        `goal ≤ 35 KiB: ${gz <= 35 * 1024 ? 'met' : 'MISSED'}`,
      ]);
    }
    console.log('\n## page (chromium, dist/)');
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  } finally {
    await browser.close();
    server.close();
  }
}
