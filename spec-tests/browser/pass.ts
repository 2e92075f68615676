/**
 * The browser pass (`npm test`, last step): build the site, serve dist/ on 127.0.0.1, and with
 * Debian's chromium (playwright-core):
 * - click Run on every spec block of every page and require it to pass;
 * - run the runaway fixture (src/pages/fixtures/runaway.mdx): it must be killed within its timeout
 *   + 2.5 s while the page stays responsive;
 * - edit a block so it fails: the output must name the failing line; the draft must survive a
 *   reload; Copy link must carry the edit, and opening the link must load it without running it;
 * - drive a block by keyboard alone, and leave the editor with Tab (no trap);
 * - counterexamples (issue 6): every block whose Run finds one has its build-time picture (and
 *   only those), the same schedule in the page as at build; stepping through the live view (←/→)
 *   updates the state inspector; Copy link carries the schedule and the step, and opening the link
 *   then Run replays exactly that interleaving; the kernel-era toggle shows a verdict per variant.
 * Exits non-zero on the first broken expectation, naming the page and block.
 * - the attacks of issue 9 (attacks.ts): forged runner messages, HTML in every output, network and
 *   escapes from a block, import(), a faked pass, the CSP on every page, framing; links and drafts
 *   (links.ts): nothing runs before the click, a link never runs a draft, limits.
 * - the layout checks (layout.ts): three widths, light and dark, axe.
 * Independent checks run side by side, MMSPEC_BROWSER_PAGES (default 2) pages at once (pool.ts):
 * each chapter page, each layout width and scheme, and the interaction checks one after another in
 * a second profile (they leave drafts the chapters must not see). The checks that time the page
 * (the runaway kill, the zlib bombs' stalls) run last, alone. Each task's output is printed as one
 * block when it ends, with its wall time; a table of them ends the pass.
 * Flags: --no-build (reuse dist/); --dist <dir> (serve another build); --only traces (just the
 * chapters: blocks, counterexamples, links, toggles); --only attacks; --only links; --only layout.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { extractBlocks } from '../../src/live/shared/extract.ts';
import { attacks } from './attacks.ts';
import { launch } from './chromium.ts';
import { launchLayoutBrowser, layout, layoutTasks } from './layout.ts';
import { bombLinks, linksAndDrafts } from './links.ts';
import { grouped, inPool, PAGES_AT_ONCE, timings, timingTable } from './pool.ts';
import { serve } from './serve.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// --dist <dir>: another build's output (e.g. an older commit's, to see a check fail there).
const distAt = process.argv.indexOf('--dist');
const DIST = distAt > 0 ? process.argv[distAt + 1] : join(ROOT, 'dist');
const KILL_SLACK_MS = 2500;

class Failure extends Error {}
function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Failure(message);
}

function build() {
  const t0 = Date.now();
  execFileSync(join(ROOT, 'node_modules/.bin/astro'), ['build', '--silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  console.log(`built the site in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Every page of dist/ that has spec blocks, as URL paths. */
function pagesWithBlocks(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.html') && readFileSync(p, 'utf8').includes('<spec-block')) {
        const rel = `/${relative(DIST, p).replaceAll('\\', '/')}`;
        out.push(rel.replace(/index\.html$/, ''));
      }
    }
  };
  walk(DIST);
  return out.sort();
}

async function finished(block: Locator, timeoutMs: number): Promise<string> {
  await block.locator('output .spec-status').waitFor({ timeout: timeoutMs });
  return (await block.getAttribute('data-state')) ?? '';
}

async function runBlock(block: Locator): Promise<{ state: string; ms: number; text: string }> {
  const timeout = Number(await block.getAttribute('data-timeout'));
  const t0 = Date.now();
  await block.locator('button[data-act="run"]').click();
  const state = await finished(block, timeout + 10_000);
  return { state, ms: Date.now() - t0, text: (await block.locator('output').textContent()) ?? '' };
}

function watchErrors(page: Page, errors: string[]) {
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|404/.test(m.text())) errors.push(`console error: ${m.text()}`);
  });
}

/** The block's code as the chapter has it (the page reads it back from the highlighted lines). */
async function chapterCode(b: Locator): Promise<string> {
  const file = (await b.getAttribute('data-file')) ?? '';
  const line = Number(await b.getAttribute('data-line'));
  const block = extractBlocks(readFileSync(join(ROOT, file), 'utf8'), file).find((x) => x.line === line);
  check(block, `${file}:${line}: no such block in the MDX`);
  return block.code;
}

/** Every block of the page passes; which of them draw counterexamples, which have an era toggle. */
async function everyBlockPasses(page: Page, base: string, path: string) {
  const breaks: string[] = [];
  const variants: string[] = [];
  const errors: string[] = [];
  watchErrors(page, errors);
  await page.goto(base + path);
  check(await page.locator(`#starlight__sidebar a[href="${path}"]`).count(), `${path}: not in the sidebar`);
  const blocks = page.locator('spec-block');
  const n = await blocks.count();
  check(n > 0, `${path}: no spec blocks rendered`);
  for (let i = 0; i < n; i++) {
    const b = blocks.nth(i);
    const name = await b.getAttribute('data-name');
    const where = `${await b.getAttribute('data-file')}:${await b.getAttribute('data-line')}`;
    // The static code is highlighted at build (Expressive Code), before any script runs.
    check(await b.locator('.expressive-code pre').count(), `${where} "${name}": not highlighted statically`);
    const pictures = await staticPictures(page, b, `${where} "${name}"`);
    const r = await runBlock(b);
    check(r.state === 'pass', `${where} "${name}" did not pass in the page (${r.state}):\n${r.text}`);
    const drawn = await liveTraces(page, b, `${where} "${name}"`, pictures);
    console.log(`  ✓ ${where} ${name} (${r.ms} ms)${drawn}`);
    if (pictures.length) breaks.push(name ?? '');
    if (await b.getAttribute('data-variants')) variants.push(name ?? '');
  }
  check(errors.length === 0, `${path}: ${errors.join('\n')}`);
  return { n, breaks, variants };
}

/** The build-time pictures of a block: shown for the current theme, served, and their schedules. */
async function staticPictures(page: Page, b: Locator, where: string): Promise<string[]> {
  const figs = b.locator('.spec-traces .mm-trace-fig');
  const out: string[] = [];
  for (let i = 0; i < (await figs.count()); i++) {
    const f = figs.nth(i);
    const imgs = f.locator('img.mm-trace-img');
    check((await imgs.count()) === 2, `${where}: picture ${i + 1} lacks its light and dark images`);
    const visible = f.locator('img.mm-trace-img:visible');
    check((await visible.count()) === 1, `${where}: picture ${i + 1} shows ${await visible.count()} images`);
    const src = (await visible.getAttribute('src')) ?? '';
    const served = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { ok: r.ok, type: r.headers.get('content-type'), svg: (await r.text()).startsWith('<svg') };
    }, src);
    check(
      served.ok && served.svg,
      `${where}: picture ${src} is not served as SVG (${JSON.stringify(served)})`,
    );
    check(
      ((await visible.getAttribute('alt')) ?? '').length > 20,
      `${where}: picture ${i + 1} has no useful alt text`,
    );
    const table = await page.evaluate(
      async (u) => (await (await fetch(u)).text()) ?? '',
      (await f.locator('a.mm-trace-table-link').getAttribute('href')) ?? '',
    );
    check(/<table class="mm-trace-table">/.test(table), `${where}: picture ${i + 1} has no table page`);
    out.push((await f.getAttribute('data-schedule')) ?? '');
  }
  return out;
}

/** What a trace view shows at step i (it updates in its keydown handler). */
interface ViewAt {
  text: string;
  slider: string | undefined;
  inspector: string;
  marked: number;
  changed: number;
}

/**
 * The view at steps from..to-1, read in one call: as it is now (`send` false, one step), or after
 * an ArrowRight keydown sent to its figure for each step (the handler the keyboard reaches).
 */
function stepViews(v: Locator, from: number, to: number, send: boolean): Promise<ViewAt[]> {
  return v.evaluate(
    (el, [from, to, send]) => {
      const fig = el.querySelector('.mm-trace-scroll') as HTMLElement;
      const out = [];
      for (let i = from; i < to; i++) {
        if (send)
          fig.dispatchEvent(
            new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true }),
          );
        out.push({
          text: el.querySelector('.spec-step-status')?.textContent ?? '',
          slider: el.querySelector<HTMLInputElement>('input.spec-step-slider')?.value,
          inspector: el.querySelector('.spec-inspector')?.innerHTML ?? '',
          marked: el.querySelectorAll(`g[data-step="${i}"] rect.cur, g[data-step="${i}"] rect.bad`).length,
          changed: el.querySelectorAll('.spec-inspector tr.changed').length,
        });
      }
      return out;
    },
    [from, to, send] as const,
  );
}

/**
 * After a Run: the live views show exactly the build-time counterexamples (same schedules), and
 * stepping through the first with the keyboard (Home, →, then → sent to the figure's key handler
 * for the rest, ← at the end) moves the slider and updates the inspector.
 */
async function liveTraces(page: Page, b: Locator, where: string, pictures: string[]): Promise<string> {
  await b.locator('.spec-trace-slot').first().waitFor({ state: 'detached', timeout: 10_000 });
  const views = b.locator('.spec-trace-view');
  const live: string[] = [];
  for (let i = 0; i < (await views.count()); i++)
    live.push((await views.nth(i).getAttribute('data-schedule')) ?? '');
  check(
    JSON.stringify([...live].sort()) === JSON.stringify([...pictures].sort()),
    `${where}: the page's counterexamples ${JSON.stringify(live)} are not the build's ${JSON.stringify(pictures)}`,
  );
  if (live.length === 0) return '';
  check(
    await b.locator('.spec-traces').isHidden(),
    `${where}: the build-time picture is still shown after Run`,
  );
  const v = views.first();
  const slider = v.locator('input.spec-step-slider');
  const n = Number(await slider.getAttribute('max')) + 1;
  const status = v.locator('.spec-step-status');
  await v.locator('.mm-trace-scroll').focus();
  // The first two steps with the keyboard (the focused figure gets the keys); the rest with the
  // same keydown sent to the figure from inside the page, every view read in one call: one round
  // trip per counterexample instead of two per step.
  await page.keyboard.press('Home');
  const shown = await stepViews(v, 0, 1, false);
  if (n > 1) {
    await page.keyboard.press('ArrowRight');
    shown.push(...(await stepViews(v, 1, 2, false)), ...(await stepViews(v, 2, n, true)));
  }
  let changed = 0;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const at = shown[i];
    check(
      at.text.startsWith(`Step ${i + 1} of ${n}:`),
      `${where}: at step ${i + 1} the status says "${at.text}"`,
    );
    check(at.slider === String(i), `${where}: the slider is not at step ${i + 1}`);
    check(at.inspector.length > 0, `${where}: the inspector is empty at step ${i + 1}`);
    seen.add(at.inspector);
    check(at.marked === 1, `${where}: step ${i + 1} is not marked in the figure`);
    if (at.changed > 0) changed++;
  }
  check(n === 1 || seen.size > 1, `${where}: stepping never changed the inspector`);
  check((await status.textContent())?.includes('fails'), `${where}: the last step does not name the failure`);
  await page.keyboard.press('ArrowLeft');
  check((await slider.inputValue()) === String(Math.max(n - 2, 0)), `${where}: ← did not step back`);
  // Every step that changed something (the table's changes column) highlighted it in the inspector.
  const withChanges = await v
    .locator('table.mm-trace-table tbody tr')
    .evaluateAll((rows) => rows.filter((r) => (r.children[3]?.textContent ?? '') !== '').length);
  check(
    changed === withChanges,
    `${where}: ${withChanges} steps change fields, the inspector highlighted changes at ${changed}`,
  );
  return ` — counterexample of ${n} steps; stepped through it, ${changed} steps highlighted changed fields`;
}

/**
 * On the page where the block has just run (everyBlockPasses): Copy link after stepping carries the
 * schedule and step; opening it in another page, then Run, replays exactly that interleaving.
 */
async function linkReplays(page: Page, path: string, name: string) {
  const b = page.locator(`spec-block[data-name="${name.replaceAll('"', '\\"')}"]`);
  const where = `${path} "${name}"`;
  check((await b.getAttribute('data-state')) === 'pass', `${where}: has not passed`);
  await b.locator('.spec-trace-view').first().waitFor();
  const v = b.locator('.spec-trace-view').first();
  const schedule = (await v.getAttribute('data-schedule')) ?? '';
  const index = (await v.getAttribute('data-index')) ?? '';
  const n = Number(await v.locator('input.spec-step-slider').getAttribute('max')) + 1;
  const k = Math.floor((n - 1) / 2);
  // to the middle step with the slider (the keys were tried in liveTraces)
  await v.locator('input.spec-step-slider').fill(String(k));
  check(
    (await v.locator('input.spec-step-slider').inputValue()) === String(k),
    `${where}: the slider did not move`,
  );
  await b.locator('button[data-act="link"]').click();
  const link = await b.locator('output .spec-link input').inputValue();
  const hash = new URL(link).hash;
  const q = new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
  check(
    q.get('schedule') === schedule && q.get('run') === index && q.get('step') === String(k),
    `${where}: Copy link does not carry the schedule/step: ${link}`,
  );
  const other = await page.context().newPage();
  await other.goto(link);
  const b2 = other.locator(`spec-block[data-name="${name.replaceAll('"', '\\"')}"]`);
  // Opening the link only says what Run will do (issue 9); the replay starts on the click.
  await b2.locator('output .spec-link-notice').waitFor();
  check((await b2.getAttribute('data-state')) === null, `${where}: opening the link ran the block`);
  await b2.locator('button[data-act="run"]').click();
  const state = await finished(b2, Number(await b2.getAttribute('data-timeout')) + 10_000);
  await b2.locator('.spec-trace-view').first().waitFor();
  const replayed = b2.locator(`.spec-trace-view[data-index="${index}"]`);
  check(
    (await replayed.getAttribute('data-schedule')) === schedule,
    `${where}: the link's run shows schedule ${await replayed.getAttribute('data-schedule')}, not ${schedule}`,
  );
  check(
    (await b2.locator('.spec-replayed').count()) === 1,
    `${where}: the link's run did not say it replayed the schedule`,
  );
  const counts = (await b2.locator('.spec-explore').nth(Number(index)).textContent()) ?? '';
  check(/executions 1\b/.test(counts), `${where}: the replay ran more than one execution: ${counts}`);
  check(
    (await replayed.locator('input.spec-step-slider').inputValue()) === String(k),
    `${where}: the link did not open at step ${k + 1}`,
  );
  await other.close();
  console.log(
    `  ✓ ${where}: the link (${link.length} chars) replays schedule ${schedule.slice(0, 40)}… and opens at step ${k + 1} (block ${state})`,
  );
}

/**
 * The kernel-era toggle, on the page where the block has run: a verdict per variant, side by
 * side. Returns the verdict rows.
 */
async function variantsCompare(page: Page, path: string, name: string): Promise<string[]> {
  const b = page.locator(`spec-block[data-name="${name.replaceAll('"', '\\"')}"]`);
  const variants = ((await b.getAttribute('data-variants')) ?? '').split(',');
  await b.locator('button[data-act="variants"]').click();
  const table = b.locator('.spec-variants-table');
  await table.waitFor({ timeout: Number(await b.getAttribute('data-timeout')) * 2 + 10_000 });
  const cols = await table.locator('thead th').allTextContents();
  check(
    JSON.stringify(cols.slice(1)) === JSON.stringify(variants),
    `${path} "${name}": the toggle's columns are ${cols.join(', ')}`,
  );
  const first = table.locator('tbody tr').first().locator('td');
  const verdicts = await first.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-verdict') ?? ''));
  check(
    verdicts.length === variants.length && verdicts.every(Boolean),
    `${path} "${name}": missing verdicts`,
  );
  return variants.map((v, i) => `${v}: ${verdicts[i]}`);
}

async function runawayIsKilled(page: Page, base: string) {
  await page.goto(`${base}/fixtures/runaway/`);
  const b = page.locator('spec-block').first();
  const timeout = Number(await b.getAttribute('data-timeout'));
  const t0 = Date.now();
  await b.locator('button[data-act="run"]').click();
  // While the loop spins in its worker, the page answers at once and offers Stop.
  await page.waitForTimeout(timeout / 2);
  const p0 = Date.now();
  const during = await page.evaluate(() => document.querySelector('spec-block')?.getAttribute('data-state'));
  const answerMs = Date.now() - p0;
  check(during === 'running', `runaway fixture: expected state running, got ${during}`);
  check(answerMs < 500, `runaway fixture: the page took ${answerMs} ms to answer while the block ran`);
  check(
    await b.locator('button[data-act="stop"]').isVisible(),
    'runaway fixture: no Stop button while running',
  );
  const state = await finished(b, timeout + KILL_SLACK_MS + 5000);
  const killedMs = Date.now() - t0;
  const text = (await b.locator('output').textContent()) ?? '';
  check(state === 'timeout', `runaway fixture: expected a timeout, got ${state}: ${text}`);
  check(/Timed out after \d+ ms/.test(text), `runaway fixture: unclear message: ${text}`);
  check(
    killedMs <= timeout + KILL_SLACK_MS,
    `runaway fixture: killed after ${killedMs} ms, more than its timeout ${timeout} + ${KILL_SLACK_MS} ms`,
  );
  // Still responsive: the button works again, and Stop ends a second run at once.
  await b.locator('button[data-act="run"]').click();
  await page.waitForTimeout(300);
  const s0 = Date.now();
  await b.locator('button[data-act="stop"]').click();
  const stopped = await finished(b, 2000);
  check(stopped === 'stopped', `runaway fixture: Stop did not stop the run (${stopped})`);
  // A long exploration shows its progress, and Stop ends it.
  const long = page.locator('spec-block[data-name="long exploration"]');
  await long.locator('button[data-act="run"]').click();
  const progress = long.locator('.spec-progress');
  await progress
    .filter({ hasText: /Exploring seven increments: \d+ executions/ })
    .waitFor({ timeout: 15_000 });
  const seen = (await progress.textContent()) ?? '';
  await long.locator('button[data-act="stop"]').click();
  check((await finished(long, 2000)) === 'stopped', 'long exploration: Stop did not stop it');
  console.log(`  ✓ a long exploration shows progress ("${seen}") and stops on Stop`);
  console.log(
    `  ✓ runaway block killed ${killedMs} ms after Run (timeout ${timeout} ms); page answered in ${answerMs} ms while it spun; Stop took ${Date.now() - s0} ms`,
  );
}

async function replaceEditorText(page: Page, block: Locator, code: string) {
  const content = block.locator('.cm-content');
  await content.waitFor();
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

async function editedFailureNamesItsLine(page: Page, base: string, path: string) {
  await page.goto(base + path);
  const b = page.locator('spec-block').first();
  const original = await chapterCode(b);
  const lines = original.split('\n');
  const at = lines.findIndex((l) => /^expect\(/.test(l));
  check(at >= 0, `${path}: the first block has no top-level expect() line to break`);
  const broken = lines.slice();
  broken[at] = `expect('this line fails').toBe('on purpose');`;
  await b.locator('button[data-act="edit"]').click();
  await replaceEditorText(page, b, broken.join('\n'));
  check(await b.locator('.spec-edited').isVisible(), `${path}: no "edited" mark after an edit`);
  const r = await runBlock(b);
  check(r.state === 'fail', `${path}: the edited block should fail, got ${r.state}: ${r.text}`);
  check(
    r.text.includes(`at line ${at + 1} of the block`) && r.text.includes(broken[at]),
    `${path}: the failure does not name line ${at + 1}:\n${r.text}`,
  );
  check(
    r.text.includes("expected 'this line fails' to be 'on purpose'"),
    `${path}: not vitest's matcher message:\n${r.text}`,
  );
  check(await b.locator('.cm-spec-failing').count(), `${path}: the failing line is not marked in the editor`);
  console.log(`  ✓ an edited block that fails names line ${at + 1} and shows vitest's message`);

  // Copy link carries the edit.
  await b.locator('button[data-act="link"]').click();
  const link = await b.locator('output .spec-link input').inputValue();
  check(link.includes(`#spec-${await b.getAttribute('data-id')}~`), `${path}: Copy link gave ${link}`);

  // The draft survives a reload, marked edited, and runs as edited.
  await page.reload();
  const b2 = page.locator('spec-block').first();
  await b2.locator('.spec-edited').waitFor({ state: 'visible' });
  check(
    ((await b2.locator('pre.spec-plain').textContent()) ?? '').includes(broken[at]),
    `${path}: the draft was not shown`,
  );
  check((await runBlock(b2)).state === 'fail', `${path}: the reloaded draft did not run as edited`);
  await b2.locator('button[data-act="reset"]').click();
  check(!(await b2.locator('.spec-edited').isVisible()), `${path}: Reset left the edited mark`);
  check((await runBlock(b2)).state === 'pass', `${path}: after Reset the block did not pass`);
  console.log('  ✓ the draft survives a reload with its "edited" mark; Reset restores the block');

  // A permalink loads the code, does not run it, and runs it on click.
  const other = await page.context().newPage();
  await other.goto(link);
  const b3 = other.locator('spec-block').first();
  await b3.locator('.spec-edited').waitFor({ state: 'visible' });
  check(
    (await b3.locator('.spec-edited').textContent()) === 'from link',
    `${path}: the link's code is not marked`,
  );
  await other.waitForTimeout(500);
  check((await b3.getAttribute('data-state')) === null, `${path}: opening a permalink ran the block`);
  check((await runBlock(b3)).state === 'fail', `${path}: the permalink's code did not run as edited`);
  await other.close();
  console.log(`  ✓ Copy link carries the edit (${link.length} chars); opening it loads without running`);
}

async function keyboardOnly(page: Page, base: string, path: string) {
  await page.goto(base + path);
  const b = page.locator('spec-block').first();
  const id = await b.getAttribute('id');
  const focused = () =>
    page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return {
        act: a?.dataset.act ?? null,
        block: a?.closest('spec-block')?.id ?? null,
        cm: !!a?.closest('.cm-editor'),
      };
    });
  let presses = 0;
  for (; presses < 300; presses++) {
    const f = await focused();
    if (f.block === id && f.act === 'run') break;
    await page.keyboard.press('Tab');
  }
  check(presses < 300, `${path}: Tab never reached the first block's Run button`);
  await page.keyboard.press('Enter');
  check((await finished(b, 15_000)) === 'pass', `${path}: Run by keyboard did not pass`);
  // Run → Edit by Tab, open the editor with Enter, then leave it with Tab: no keyboard trap.
  await b.locator('button[data-act="run"]').focus();
  await page.keyboard.press('Tab'); // Stop is hidden when idle; Edit is next
  check((await focused()).act === 'edit', `${path}: Tab from Run did not reach Edit`);
  await page.keyboard.press('Enter');
  await b.locator('.cm-editor.cm-focused').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Tab');
  check(!(await focused()).cm, `${path}: Tab did not leave the editor (keyboard trap)`);
  console.log(
    `  ✓ keyboard: Run reached in ${presses} Tabs and run with Enter; Edit opens; Tab leaves the editor`,
  );
}

/** The lazy type worker: a type error is flagged with its TS code, hover shows a signature. */
async function typesInEditor(page: Page, base: string, path: string) {
  await page.goto(base + path);
  const b = page.locator('spec-block').first();
  const original = await chapterCode(b);
  await b.locator('button[data-act="edit"]').click();
  await replaceEditorText(page, b, `${original}\nconst wrong: string = 42;`);
  const t0 = Date.now();
  const range = b.locator('.cm-lintRange-error').first();
  await range.waitFor({ timeout: 30_000 });
  const ms = Date.now() - t0;
  const rb = await range.boundingBox();
  check(rb, 'no box');
  await page.mouse.move(rb.x + rb.width / 2, rb.y + rb.height / 2, { steps: 5 });
  const tip = page.locator('.cm-tooltip-lint').first();
  await tip.waitFor({ timeout: 20_000 });
  const text = (await tip.textContent()) ?? '';
  check(/TS2322/.test(text), `${path}: the type error is not TS2322: ${text}`);
  check(
    (await b.locator('.cm-lintRange-error').count()) === 1,
    `${path}: the unedited block has type errors`,
  );
  // Hover over `explore` in `explore(…)` shows its signature from the bundled sources.
  await page.mouse.move(0, 0);
  const at = await b.evaluate((el) => {
    for (const line of el.querySelectorAll('.cm-line')) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.textContent?.indexOf('explore') ?? -1;
        if (i >= 0 && /= explore\(/.test(line.textContent ?? '')) {
          const r = document.createRange();
          r.setStart(n, i + 2);
          r.setEnd(n, i + 3);
          const box = r.getBoundingClientRect();
          return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }
      }
    }
    return null;
  });
  check(at, `${path}: no explore( line to hover`);
  await page.mouse.move(at.x, at.y, { steps: 3 });
  const hover = page.locator('.cm-spec-hover', { hasText: 'explore' }).first();
  await hover.waitFor({ timeout: 10_000 });
  const sig = (await hover.textContent()) ?? '';
  check(/ExploreResult/.test(sig), `${path}: hover on explore shows "${sig}"`);
  // Completion: members of an ExploreResult.
  await page.mouse.move(0, 0);
  await b.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('\nresult.verd');
  await page.keyboard.press('Control+Space');
  const option = page.locator('.cm-tooltip-autocomplete li', { hasText: 'verdict' }).first();
  await option.waitFor({ timeout: 10_000 });
  await b.locator('button[data-act="reset"]').click();
  console.log(
    `  ✓ types: TS2322 flagged ${ms} ms after the edit (type worker cold start included); hover shows explore's signature; completion offers "verdict"`,
  );
}

/** Pagefind search (loaded when the dialog opens) finds a chapter by a word of its prose. */
async function searchFindsChapter(page: Page, base: string, path: string) {
  await page.goto(base + path);
  await page.locator('button[data-open-modal]').click();
  const input = page.locator('#starlight__search input');
  await input.waitFor({ timeout: 20_000 }); // Pagefind's UI loads when the dialog opens: slow under load
  const title = (await page.locator('h1').first().textContent()) ?? '';
  const word = title
    .split(/\W+/)
    .filter((w) => w.toLowerCase() !== 'mmspec')
    .sort((a, b) => b.length - a.length)[0];
  await input.fill(word);
  const hit = page.locator(`#starlight__search a[href*="${path}"]`).first();
  await hit.waitFor({ timeout: 20_000 });
  await page.keyboard.press('Escape');
  console.log(`  ✓ search: "${word}" finds ${path}`);
}

const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : null;

interface PageResult {
  blocks: number;
  breaks: number;
  toggles: number;
  differ: number;
}

/**
 * One chapter page, in a page of its own: every block passes; then each counterexample's Copy
 * link replays it, and each kernel-era toggle shows a verdict per variant.
 */
async function chapterPage(ctx: BrowserContext, base: string, path: string): Promise<PageResult> {
  const page = await ctx.newPage();
  try {
    const { n, breaks, variants } = await everyBlockPasses(page, base, path);
    // On the page as the Runs left it (each block run once, its counterexamples shown).
    for (const name of breaks) await linkReplays(page, path, name);
    let differ = 0;
    for (const name of variants) {
      const row = await variantsCompare(page, path, name);
      if (new Set(row.map((r) => r.split(': ')[1])).size > 1) differ++;
      console.log(`  ✓ "${name}": ${row.join(' | ')}`);
    }
    return { blocks: n, breaks: breaks.length, toggles: variants.length, differ };
  } finally {
    await page.close();
  }
}

/** The checks on one page's interaction (issue 9 and the editor), in a profile of their own. */
async function interaction(ctx: BrowserContext, base: string, home: string) {
  await grouped('attacks (issue 9)', () => attacks(ctx, base, DIST));
  await grouped(`${home} (interaction)`, async () => {
    const page = await ctx.newPage();
    await editedFailureNamesItsLine(page, base, home);
    await keyboardOnly(page, base, home);
    await searchFindsChapter(page, base, home);
    await typesInEditor(page, base, home);
    await page.close();
  });
  await grouped(`${home} (links and drafts)`, () => linksAndDrafts(ctx, base, home));
}

/**
 * The checks that time the page (a runaway block killed within its timeout + 2.5 s, the page
 * answering while it spins; a zlib bomb never stalling the main thread 100 ms): after the
 * side-by-side tasks, with nothing else of the pass running.
 */
async function timedChecks(ctx: BrowserContext, base: string, home: string) {
  await grouped('/fixtures/runaway/', async () => {
    const page = await ctx.newPage();
    await runawayIsKilled(page, base);
    await page.close();
  });
  await grouped(`${home} (zlib bombs in links)`, () => bombLinks(ctx, base, home));
}

async function main() {
  const t0 = performance.now();
  if (!process.argv.includes('--no-build')) await grouped('astro build', async () => build());
  const { server, url } = await serve(DIST);
  // Two profiles: the interaction checks leave drafts in localStorage that the blocks must not see.
  const browser = await launch();
  const second = only === null ? await launch() : null;
  const layoutBrowser = only === null ? await launchLayoutBrowser() : null;
  let failed = false;
  try {
    if (only === 'attacks')
      return await grouped('attacks (issue 9)', () => attacks(browser.context, url, DIST));
    if (only === 'layout') return await layout(url, DIST);
    const pages = pagesWithBlocks();
    const chapters = pages.filter((p) => !p.startsWith('/fixtures/'));
    check(chapters.length > 0, 'no chapter page has spec blocks');
    if (only === 'links') {
      await linksAndDrafts(browser.context, url, '/explorer/');
      return await bombLinks(browser.context, url, '/explorer/');
    }
    check(pages.includes('/fixtures/runaway/'), 'the runaway fixture page was not built');
    // Interaction checks run on the explorer chapter (its first block is a known shape).
    const home = chapters.includes('/explorer/') ? '/explorer/' : chapters[0];
    // Side by side, PAGES_AT_ONCE at a time, longest first: the interaction checks (one after
    // another, in their own profile), the layout widths with axe, then the chapters.
    const results: PageResult[] = [];
    const laid = (layoutBrowser ? layoutTasks(layoutBrowser, url, DIST) : []).map(
      (t) => () => grouped(t.title, t.run),
    );
    await inPool(PAGES_AT_ONCE, [
      ...(second ? [() => interaction(second.context, url, home)] : []),
      ...laid.slice(0, 4),
      ...chapters.map((p) => async () => {
        results.push(await grouped(p, () => chapterPage(browser.context, url, p)));
      }),
      ...laid.slice(4),
    ]);
    if (second) await timedChecks(second.context, url, home);
    const total = results.reduce((a, r) => a + r.blocks, 0);
    const breaks = results.reduce((a, r) => a + r.breaks, 0);
    check(breaks > 0, 'no block found a counterexample: nothing was drawn');
    const toggles = results.reduce((a, r) => a + r.toggles, 0);
    check(
      toggles === 0 || results.some((r) => r.differ > 0),
      'the kernel-era toggle never showed two different verdicts',
    );
    console.log(
      `counterexamples: ${breaks} blocks drew theirs at build and in the page; their links replay them; ${toggles} kernel-era toggles`,
    );
    console.log(`browser pass: ${total} blocks on ${chapters.length} pages passed in chromium`);
  } catch (e) {
    failed = true;
    console.error(e instanceof Failure ? `browser pass FAILED: ${e.message}` : e);
  } finally {
    await browser.close();
    await second?.close();
    await layoutBrowser?.close();
    server.close();
  }
  timings.push([`browser pass, total (${PAGES_AT_ONCE} pages at once)`, (performance.now() - t0) / 1000]);
  console.log(`browser pass timings (tasks overlap):\n${timingTable()}`);
  process.exit(failed ? 1 : 0);
}

await main();
