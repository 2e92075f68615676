/**
 * Reading comfort (issue 13), part of the browser pass (`npm run test:browser -- --only layout`):
 * on every published page at 1280, 1024 and 390 px, light and dark,
 * - no counterexample figure, code block or rules-index column is clipped, and a figure is shown at
 *   (nearly) its drawn size, so its text stays readable: at 390 px the narrow drawing (one column,
 *   the failing step outlined) replaces the swimlanes;
 * - axe-core finds no serious or critical violation (counts printed per page; injected into a
 *   context that bypasses the pages' CSP, which forbids inline scripts);
 * without JavaScript the theme follows the reader's preference; in the editor the line numbers are
 * opaque and, in the dark theme, a type-error tooltip reads at ≥ 4.5:1; Stop reports how long the
 * block ran.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM } from './chromium.ts';
import { grouped, inPool, PAGES_AT_ONCE } from './pool.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WIDTHS = [1280, 1024, 390] as const;
const SCHEMES = ['light', 'dark'] as const;

class LayoutFailure extends Error {}
/** tsx keeps function names with a `__name` helper that page.evaluate's copies must find. */
const KEEP_NAMES = 'globalThis.__name = (f) => f;';
async function context(browser: Browser, options: Parameters<Browser['newContext']>[0]) {
  const ctx = await browser.newContext(options);
  await ctx.addInitScript(KEEP_NAMES);
  return ctx;
}
function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new LayoutFailure(`layout: ${message}`);
}

/** Every published page: the landing page and each chapter directory of dist/ (as the bench). */
function publishedPages(dist: string): string[] {
  const out = ['/'];
  for (const d of readdirSync(dist, { withFileTypes: true }))
    if (
      d.isDirectory() &&
      !/^(_|pagefind|fixtures)/.test(d.name) &&
      existsSync(join(dist, d.name, 'index.html'))
    )
      out.push(`/${d.name}/`);
  return out.sort();
}

/** What is clipped on the page: boxes whose content is wider than they are (and the culprits). */
function clipped(page: Page) {
  return page.evaluate(() => {
    const out: string[] = [];
    const name = (e: Element) =>
      e.closest('spec-block')?.getAttribute('data-name') ?? e.closest('table')?.className ?? e.tagName;
    const wide = (e: Element) => e.scrollWidth > e.clientWidth + 1;
    for (const s of document.querySelectorAll('.mm-trace-scroll'))
      if (wide(s)) out.push(`figure of "${name(s)}" (${s.scrollWidth} px in ${s.clientWidth})`);
    for (const img of document.querySelectorAll<HTMLImageElement>('img.mm-trace-img')) {
      if (!img.checkVisibility()) continue;
      const box = img.closest('.mm-trace-fig')?.getBoundingClientRect();
      const r = img.getBoundingClientRect();
      if (box && r.right > box.right + 1) out.push(`figure of "${name(img)}" overflows its block`);
    }
    for (const pre of document.querySelectorAll('.expressive-code pre'))
      if (wide(pre)) out.push(`code of "${name(pre)}" (${pre.scrollWidth} px in ${pre.clientWidth})`);
    for (const t of document.querySelectorAll('.sl-markdown-content table'))
      if (wide(t)) out.push(`table ${t.className || ''} (${t.scrollWidth} px in ${t.clientWidth})`);
    return out;
  });
}

/** The visible figures' drawn scale (rendered / natural width) and whether the narrow drawing is used. */
function figures(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLImageElement>('img.mm-trace-img')]
      .filter((img) => img.checkVisibility())
      .map((img) => ({
        name: img.closest('spec-block')?.getAttribute('data-name') ?? '',
        scale: img.getBoundingClientRect().width / (img.naturalWidth || Number(img.getAttribute('width'))),
        narrow: img.currentSrc !== img.src,
        natural: img.naturalWidth,
      })),
  );
}

async function axeCounts(page: Page): Promise<{ counts: Record<string, number>; bad: string[] }> {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(async () => {
    // Preload only media (for no-autoplay-audio). axe's default also fetches and parses every
    // stylesheet (the CSSOM), which only css-orientation-lock reads, an experimental rule axe
    // does not run: ~150 ms a page for nothing.
    // biome-ignore lint/suspicious/noExplicitAny: axe-core's global, injected above
    const res = await (window as any).axe.run(document, {
      resultTypes: ['violations'],
      preload: { assets: ['media'] },
    });
    return (res.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]).map((v) => ({
      id: v.id,
      impact: v.impact,
      n: v.nodes.length,
      at: v.nodes[0]?.target.join(' '),
    }));
  });
  const counts: Record<string, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of r) counts[v.impact] = (counts[v.impact] ?? 0) + v.n;
  const bad = r
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} ×${v.n} (${v.at})`);
  return { counts, bad };
}

const luminance = (rgb: number[]) => {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const rgbOf = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
function contrast(fg: string, bg: string): number {
  const [a, b] = [luminance(rgbOf(fg)), luminance(rgbOf(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

/** One width and scheme: every page, in a context of its own (run side by side, pool.ts). */
async function pagesAt(
  browser: Browser,
  base: string,
  pages: string[],
  width: (typeof WIDTHS)[number],
  scheme: (typeof SCHEMES)[number],
) {
  const ctx = await context(browser, {
    bypassCSP: true,
    viewport: { width, height: 900 },
    colorScheme: scheme,
  });
  const page = await ctx.newPage();
  // Starlight's theme follows the system preference ("auto") unless the reader picked one.
  for (const path of pages) {
    await page.goto(base + path, { waitUntil: 'load' });
    await page.evaluate(async () => {
      for (const img of document.querySelectorAll<HTMLImageElement>('img.mm-trace-img')) {
        img.loading = 'eager';
        if (img.checkVisibility()) await img.decode().catch(() => {});
      }
    });
    // Expressive Code marks scrollable code focusable after a debounce: wait until it has.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.expressive-code pre')].every(
          (pre) => pre.scrollWidth <= pre.clientWidth || pre.hasAttribute('tabindex'),
        ),
      undefined,
      { timeout: 20_000 },
    );
    const where = `${path} at ${width} px, ${scheme}`;
    const cut = await clipped(page);
    check(cut.length === 0, `${where}: clipped: ${cut.join('; ')}`);
    const figs = await figures(page);
    for (const f of figs) {
      check(f.scale >= 0.9, `${where}: the figure of "${f.name}" is shown at ${Math.round(f.scale * 100)}%`);
      if (width < 500) check(f.narrow, `${where}: the figure of "${f.name}" is not the narrow drawing`);
    }
    // axe in both schemes at the widest and the phone layout (1024 px has 1280's markup).
    if (width === 1024) {
      console.log(`  ✓ ${where}: nothing clipped, ${figs.length} figures at ≥ 90%`);
      continue;
    }
    const { counts, bad } = await axeCounts(page);
    console.log(
      `  ✓ ${where}: nothing clipped, ${figs.length} figures at ≥ 90%; axe: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    check(bad.length === 0, `${where}: axe: ${bad.join('; ')}`);
  }
  await ctx.close();
}

/** Without JavaScript the page, its code and its figures follow the reader's light/dark preference. */
async function themeWithoutScript(browser: Browser, base: string, path: string) {
  for (const scheme of SCHEMES) {
    const ctx = await context(browser, { javaScriptEnabled: false, colorScheme: scheme });
    const page = await ctx.newPage();
    await page.goto(base + path);
    const seen = await page.evaluate(() => ({
      bg: getComputedStyle(document.body).backgroundColor,
      code: (() => {
        const pre = document.querySelector('.expressive-code pre');
        return pre ? getComputedStyle(pre).backgroundColor : null;
      })(),
      img: document.querySelector<HTMLImageElement>('img.mm-trace-img:not([style*="none"])')
        ? [...document.querySelectorAll<HTMLImageElement>('img.mm-trace-img')]
            .filter((i) => i.checkVisibility())
            .map((i) => i.className)[0]
        : null,
    }));
    const light = (c: string) => luminance(rgbOf(c)) > 0.5;
    check(light(seen.bg) === (scheme === 'light'), `no script, prefers ${scheme}: the page is ${seen.bg}`);
    if (seen.code)
      check(light(seen.code) === (scheme === 'light'), `no script, prefers ${scheme}: code on ${seen.code}`);
    if (seen.img)
      check(seen.img.includes(`mm-${scheme}`), `no script, prefers ${scheme}: figure ${seen.img}`);
    console.log(
      `  ✓ without JavaScript, prefers ${scheme}: page ${seen.bg}, code ${seen.code}, figure ${seen.img}`,
    );
    await ctx.close();
  }
}

/** The editor in the dark theme: an opaque gutter, a type-error tooltip at ≥ 4.5:1. */
async function editorComfort(browser: Browser, base: string, path: string) {
  const ctx = await context(browser, { colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(base + path);
  const b = page.locator('spec-block').first();
  await b.locator('button[data-act="edit"]').click();
  const content = b.locator('.cm-content');
  await content.waitFor();
  await content.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText(`\nconst wrong: string = 42; // ${'x'.repeat(160)}`);
  const gutter = await b.locator('.cm-gutters').evaluate((g) => getComputedStyle(g).backgroundColor);
  check(
    rgbOf(gutter).length === 3 || rgbOf(gutter)[3] === 1,
    `the editor's gutter is not opaque (${gutter})`,
  );
  // Scrolled sideways, the line numbers stay over the gutter's own background.
  await b.locator('.cm-scroller').evaluate((s) => {
    s.scrollLeft = 400;
  });
  const range = b.locator('.cm-lintRange-error').first();
  await range.waitFor({ timeout: 30_000 });
  await range.scrollIntoViewIfNeeded();
  const rb = await range.boundingBox();
  check(rb, 'no type error to hover');
  await page.mouse.move(rb.x + Math.min(rb.width / 2, 20), rb.y + rb.height / 2, { steps: 5 });
  const tip = page.locator('.cm-tooltip-lint').first();
  await tip.waitFor({ timeout: 20_000 });
  const colours = await tip.evaluate((t) => {
    const text = t.querySelector('.cm-diagnostic') ?? t;
    let bg = 'rgba(0, 0, 0, 0)';
    for (let e: Element | null = text; e && /rgba\(.*, 0\)|transparent/.test(bg); e = e.parentElement)
      bg = getComputedStyle(e).backgroundColor;
    return { fg: getComputedStyle(text).color, bg };
  });
  const ratio = contrast(colours.fg, colours.bg);
  check(ratio >= 4.5, `dark tooltip contrast ${ratio.toFixed(2)}:1 (${colours.fg} on ${colours.bg})`);
  console.log(
    `  ✓ editor (dark): gutter ${gutter}; type-error tooltip ${colours.fg} on ${colours.bg} = ${ratio.toFixed(1)}:1`,
  );
  await page.screenshot({ path: join(process.env.LAYOUT_SHOTS ?? '/tmp', 'mmspec-editor-dark.png') });
  await ctx.close();
}

/** A spec block's copy button copies the block's code (the page carries it once, in the lines). */
async function copyButton(browser: Browser, base: string, path: string) {
  const ctx = await context(browser, {});
  const page = await ctx.newPage();
  await page.goto(base + path);
  const b = page.locator('spec-block').first();
  const button = b.locator('.copy button');
  check(
    !(await button.getAttribute('data-code')),
    `${path}: the copy button still carries a copy of the code`,
  );
  await button.click({ force: true });
  const copied = ((await button.getAttribute('data-code')) ?? '').replaceAll('\u007f', '\n');
  const lines = await b.evaluate((el) =>
    [...el.querySelectorAll('.ec-line')]
      .filter((l) => !l.closest('summary'))
      .map((l) => (l.querySelector('.code')?.textContent ?? '').replace(/\n$/, '')),
  );
  check(
    copied.length > 0 && copied === lines.join('\n'),
    `${path}: the copy button copies "${copied.slice(0, 80)}"`,
  );
  console.log(`  ✓ the copy button of a spec block copies its ${lines.length} lines`);
  await ctx.close();
}

/** Stop says how long the block ran (it said 0 ms). */
async function stopTime(browser: Browser, base: string) {
  const ctx = await context(browser, {});
  const page = await ctx.newPage();
  await page.goto(`${base}/fixtures/runaway/`);
  const b = page.locator('spec-block').first();
  await b.locator('button[data-act="run"]').click();
  await page.waitForTimeout(800);
  await b.locator('button[data-act="stop"]').click();
  await b.locator('output .spec-status').waitFor();
  const text = (await b.locator('output .spec-status').textContent()) ?? '';
  const ms = Number(/Stopped after (\d+) ms/.exec(text)?.[1]);
  check(ms >= 700, `Stop reported "${text}" after ~800 ms`);
  console.log(`  ✓ Stop: "${text}"`);
  await ctx.close();
}

/**
 * After Run on a phone, the live counterexample is whole: the one-column drawing, no lane cut off
 * by its scroll box, the failure written out (it was the swimlanes, the failing lane off-screen).
 */
async function liveTraceOnPhone(browser: Browser, base: string, path: string) {
  const ctx = await context(browser, { viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await page.goto(base + path);
  const b = page.locator('spec-block[data-name*="breaks"]').first();
  await b.locator('button[data-act="run"]').click();
  const box = b.locator('.spec-trace-view .mm-trace-scroll').first();
  await box.waitFor({ timeout: 60_000 });
  const seen = await box.evaluate((el) => ({
    narrow: el.classList.contains('mm-narrow'),
    overflow: el.scrollWidth - el.clientWidth,
    failure: el.querySelector('.badtxt')?.textContent ?? '',
  }));
  check(seen.narrow, `${path} at 390 px: the live trace view drew the swimlanes`);
  check(seen.overflow <= 1, `${path} at 390 px: the live figure overflows its box by ${seen.overflow} px`);
  check(seen.failure.startsWith('✗'), `${path} at 390 px: the live figure does not write out the failure`);
  console.log(
    `  ✓ live trace at 390 px (${path}): one column, nothing cut off, "${seen.failure.slice(0, 40)}…"`,
  );
  await ctx.close();
}

/** Screenshots for a human to look at (LAYOUT_SHOTS=<dir>): a 3-lane figure at 1280 and 390 px. */
async function screenshots(browser: Browser, base: string, dir: string) {
  for (const [width, scheme] of [
    [1280, 'light'],
    [390, 'dark'],
    [390, 'light'],
  ] as const) {
    const ctx = await context(browser, { viewport: { width, height: 900 }, colorScheme: scheme });
    const page = await ctx.newPage();
    for (const path of ['/swap-cache/', '/rules/']) {
      await page.goto(base + path);
      const target =
        path === '/rules/' ? page.locator('table').first() : page.locator('.mm-trace-fig').last();
      await target.scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(dir, `layout${path.replaceAll('/', '-')}${width}-${scheme}.png`) });
    }
    await ctx.close();
  }
}

/** Layout's own browser: contexts that bypass the CSP (to inject axe), at any viewport. */
export function launchLayoutBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

export interface Task {
  title: string;
  run: () => Promise<void>;
}

/**
 * The layout checks as independent tasks, each in a context of its own, longest first: the widths
 * with axe, then 1024 px, then the single-page checks. The browser pass runs them side by side
 * with its other tasks (pool.ts).
 */
export function layoutTasks(browser: Browser, base: string, dist: string): Task[] {
  const pages = publishedPages(dist);
  const widths = [...WIDTHS].sort((a, b) => Number(a === 1024) - Number(b === 1024));
  return [
    ...widths.flatMap((w) =>
      SCHEMES.map((s) => ({
        title: `layout at ${w} px, ${s}${w === 1024 ? '' : ', axe'} (${pages.length} pages)`,
        run: () => pagesAt(browser, base, pages, w, s),
      })),
    ),
    { title: 'layout: without JavaScript', run: () => themeWithoutScript(browser, base, '/cow/') },
    { title: 'layout: editor (dark)', run: () => editorComfort(browser, base, '/explorer/') },
    { title: 'layout: Stop time', run: () => stopTime(browser, base) },
    { title: 'layout: copy button', run: () => copyButton(browser, base, '/explorer/') },
    { title: 'layout: live trace on a phone', run: () => liveTraceOnPhone(browser, base, '/fork/') },
  ];
}

/** `--only layout`: the layout checks alone (screenshots too with LAYOUT_SHOTS=<dir>). */
export async function layout(base: string, dist: string): Promise<void> {
  const browser = await launchLayoutBrowser();
  try {
    await inPool(
      PAGES_AT_ONCE,
      layoutTasks(browser, base, dist).map((t) => () => grouped(t.title, t.run)),
    );
    if (process.env.LAYOUT_SHOTS) await screenshots(browser, base, process.env.LAYOUT_SHOTS);
  } finally {
    await browser.close();
  }
}
