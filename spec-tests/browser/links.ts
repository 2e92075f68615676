/**
 * Issue 9, items 3 and 5: a shared link is a stranger's code. Checked in chromium:
 * - opening a link (code, schedule, or both), with or without a draft of the reader's for that
 *   block, runs nothing until Run is clicked; it shows what would run (the code, its diff with the
 *   chapter's, what Run will do) and keeps the draft; Run then runs the link's code, never the
 *   draft's, and a schedule replays one execution at the linked step;
 * - a link that inflates past 64 KiB (a zlib bomb) is refused with a message, loads nothing, and
 *   the main thread never stalls 100 ms while it is read;
 * - a malformed draft (bad JSON, the old raw-string format, another version, non-string code,
 *   oversize) is dropped with a notice.
 * Side channel, independent of how the runner is built: every postMessage the page makes (to a
 * Worker or a MessagePort) is scanned for block code and for the link's and the draft's markers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { encodeCode, linkHash } from '../../src/live/page/permalink.ts';
import { extractBlocks } from '../../src/live/shared/extract.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LINK_MARK = 'mmspec-link-code-ran';
const DRAFT_MARK = 'mmspec-draft-code-ran';
const STALL_LIMIT_MS = 100;

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`links: ${message}`);
}

// Init scripts are plain JS text: tsx would wrap named functions in a helper the page lacks.
/** Before any page script: record what the page posts to workers and ports. */
const WATCH_POSTS = `{
  const posts = (window.__posts = []);
  const strings = (v, out, depth) => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object' && depth < 6) for (const x of Object.values(v)) strings(x, out, depth + 1);
    return out;
  };
  for (const proto of [Worker.prototype, MessagePort.prototype]) {
    const post = proto.postMessage;
    proto.postMessage = function (...args) {
      const all = strings(args[0], [], 0).join('\\n');
      posts.push({ code: all.includes('defineModel'), link: all.includes('${LINK_MARK}'), draft: all.includes('${DRAFT_MARK}') });
      return post.apply(this, args);
    };
  }
}`;

/**
 * Before any page script: the main thread's longest long task, and its worst timer gap from
 * DOMContentLoaded on (the link is read after the runtime loads, which is later).
 */
const WATCH_STALLS = `{
  const s = (window.__stalls = { worst: 0, longTask: 0 });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) s.longTask = Math.max(s.longTask, e.duration);
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('DOMContentLoaded', () => {
    let last = performance.now();
    const tick = () => {
      const now = performance.now();
      s.worst = Math.max(s.worst, now - last);
      last = now;
      setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
  });
}`;

interface Target {
  path: string;
  id: string;
  code: string;
  /** A counterexample the block finds (from its build-time picture). */
  trace: { index: number; model: string; schedule: string; step: number };
}

/** The first block of the chapter with a build-time counterexample. */
async function target(page: Page, base: string, path: string): Promise<Target> {
  await page.goto(base + path);
  const b = page.locator('spec-block:has(.spec-traces .mm-trace-fig)').first();
  const fig = b.locator('.mm-trace-fig').first();
  const file = (await b.getAttribute('data-file')) ?? '';
  const line = Number(await b.getAttribute('data-line'));
  const block = extractBlocks(readFileSync(join(ROOT, file), 'utf8'), file).find((x) => x.line === line);
  check(block, `${file}:${line}: no such block in the MDX`);
  return {
    path,
    id: (await b.getAttribute('data-id')) ?? '',
    code: block.code,
    trace: {
      index: Number(await fig.getAttribute('data-trace-index')),
      model: (await fig.getAttribute('data-model')) ?? '',
      schedule: (await fig.getAttribute('data-schedule')) ?? '',
      step: 1,
    },
  };
}

const draftKey = (t: Target) => `mmspec:draft:${t.path}#${t.id}`;

async function posts(page: Page) {
  return page.evaluate(
    () => (window as unknown as { __posts: { code: boolean; link: boolean; draft: boolean }[] }).__posts,
  );
}

/** A fresh page with `draft` (a raw localStorage value) stored for the block, or none. */
async function freshPage(ctx: BrowserContext, base: string, t: Target, draft: string | null): Promise<Page> {
  const page = await ctx.newPage();
  await page.addInitScript({ content: WATCH_POSTS });
  // The draft is stored from a page of the same origin that runs no block code: the chapter's own
  // scripts, still starting up after its load event, could open (and drop) the draft meanwhile.
  await page.goto(`${base}/favicon.svg`);
  await page.evaluate(([k, v]) => (v === null ? localStorage.removeItem(k) : localStorage.setItem(k, v)), [
    draftKey(t),
    draft,
  ] as const);
  await page.goto('about:blank');
  return page;
}

async function nothingRan(page: Page, b: Locator, where: string) {
  const p = await posts(page);
  check(
    p.every((x) => !x.code),
    `${where}: ran before any click (${p.filter((x) => x.code).length} messages carried block code${
      p.some((x) => x.draft) ? ', the draft’s among them' : ''
    })`,
  );
  const state = await b.getAttribute('data-state');
  check(state === null, `${where}: the block ran before any click (data-state ${state})`);
  // The block's console.log lines (the notice and the diff may quote the link's code).
  const logs = (await b.locator('output .spec-logs').allTextContents()).join('');
  check(
    !logs.includes(LINK_MARK) && !logs.includes(DRAFT_MARK),
    `${where}: link or draft code printed: ${logs}`,
  );
}

async function opensWithoutRunning(
  ctx: BrowserContext,
  base: string,
  t: Target,
  c: { code: boolean; trace: boolean; draft: boolean; onOpenPage?: boolean },
) {
  const where = `link with ${[c.code ? 'code' : '', c.trace ? 'schedule' : ''].filter(Boolean).join(' and ')}${c.draft ? ', over a draft' : ''}${c.onOpenPage ? ', followed on the chapter already open' : ''}`;
  const linkCode = `${t.code}\nconsole.log('${LINK_MARK}');`;
  const draftCode = `${t.code}\nconsole.log('${DRAFT_MARK}');`;
  const record = JSON.stringify({ v: 1, code: draftCode });
  const page = await freshPage(ctx, base, t, c.draft ? record : null);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const hash = linkHash({
    id: t.id,
    code: c.code ? encodeCode(linkCode) : null,
    trace: c.trace ? t.trace : null,
  });
  if (c.onOpenPage) {
    // Only the hash changes: a same-document navigation, which the page answers by loading again.
    await page.goto(`${base}${t.path}`);
    const reloaded = page.waitForEvent('load', { timeout: 20_000 }).catch(() => {});
    await page.goto(`${base}${t.path}${hash}`);
    await reloaded;
  } else await page.goto(`${base}${t.path}${hash}`);
  const b = page.locator(`spec-block#spec-${t.id}`);
  // Give the runtime time to open the link (or, on a page that runs links, to run it).
  await b
    .locator('output .spec-link-notice')
    .waitFor({ timeout: 20_000 })
    .catch(() => {});
  await page.waitForTimeout(700);
  await nothingRan(page, b, where);
  const startedBefore = workers.length;

  // What would run is shown, and what Run will do is said.
  const noticeEl = b.locator('output .spec-link-notice');
  const notice = (await noticeEl.count()) ? ((await noticeEl.textContent()) ?? '') : '';
  check(/Nothing has run/.test(notice), `${where}: no notice of what Run will do: "${notice}"`);
  const plain = b.locator('pre.spec-plain');
  if (c.code) {
    check(
      (await b.locator('.spec-edited').textContent()) === 'from link',
      `${where}: code not marked "from link"`,
    );
    const shown = (await plain.textContent()) ?? '';
    check(
      shown.includes(LINK_MARK) && !shown.includes(DRAFT_MARK),
      `${where}: the link's code is not what is shown`,
    );
    await b
      .locator('output .spec-diff')
      .waitFor({ timeout: 20_000 })
      .catch(() => {});
    const added = await b.locator('output .spec-diff [data-op="+"]').allTextContents();
    check(
      added.length === 1 && added[0].includes(LINK_MARK),
      `${where}: the diff with the chapter's code is not the one added line: ${JSON.stringify(added)}`,
    );
    check(
      /Run runs the code from the link/.test(notice),
      `${where}: the notice does not say Run runs the link's code`,
    );
  } else {
    check((await plain.count()) === 0, `${where}: code other than the chapter's is shown`);
  }
  if (c.trace) {
    const say = `replays exploration #${t.trace.index + 1} of model “${t.trace.model}” along the linked schedule, opening at step ${t.trace.step + 1}`;
    check(notice.includes(say), `${where}: the notice does not say "${say}": "${notice}"`);
  }
  const kept = b.locator('.spec-kept');
  if (c.draft) {
    check(await kept.isVisible(), `${where}: no notice that the reader's draft is kept`);
    check(
      (await page.evaluate((k) => localStorage.getItem(k), draftKey(t))) === record,
      `${where}: the reader's draft was changed by opening the link`,
    );
  } else check((await kept.count()) === 0, `${where}: a kept draft is announced, but there was none`);

  // Run runs the link's code (or the chapter's), never the draft's.
  await b.locator('button[data-act="run"]').click();
  await b
    .locator('output .spec-status')
    .waitFor({ timeout: Number(await b.getAttribute('data-timeout')) + 10_000 });
  const state = await b.getAttribute('data-state');
  check(
    state === 'pass',
    `${where}: Run did not pass (${state}): ${await b.locator('output').textContent()}`,
  );
  const p = await posts(page);
  check(!p.some((x) => x.draft), `${where}: Run sent the reader's draft to a worker`);
  check(
    p.some((x) => x.code && x.link === c.code),
    `${where}: Run did not send the ${c.code ? "link's" : "chapter's"} code`,
  );
  const logs = (await b.locator('output .spec-logs').allTextContents()).join('');
  check(
    logs.includes(LINK_MARK) === c.code && !logs.includes(DRAFT_MARK),
    `${where}: wrong code ran: ${logs}`,
  );
  if (c.trace) {
    const { index, schedule, step } = t.trace;
    await b.locator('.spec-trace-view').first().waitFor();
    check(
      (await b.locator('.spec-replayed').count()) === 1,
      `${where}: Run did not say it replayed the schedule`,
    );
    const counts = (await b.locator('.spec-explore').nth(index).textContent()) ?? '';
    check(/executions 1\b/.test(counts), `${where}: the replay ran more than one execution: ${counts}`);
    const view = b.locator(`.spec-trace-view[data-index="${index}"]`);
    check((await view.getAttribute('data-schedule')) === schedule, `${where}: another schedule was replayed`);
    check(
      (await view.locator('input.spec-step-slider').inputValue()) === String(step),
      `${where}: the replay did not open at step ${step + 1}`,
    );
  }
  // The kept draft comes back on request, without running.
  if (c.draft) {
    await kept.locator('button', { hasText: 'Restore my draft' }).click();
    await b.locator('.spec-edited', { hasText: 'edited' }).waitFor({ timeout: 20_000 });
    check(
      ((await plain.textContent()) ?? '').includes(DRAFT_MARK),
      `${where}: Restore my draft did not show it`,
    );
    await page.waitForTimeout(300);
    check(!(await posts(page)).some((x) => x.draft), `${where}: restoring the draft ran it`);
  }
  console.log(
    `  ✓ ${where}: nothing ran before the click (${startedBefore} workers started, no code posted); Run ran the ${
      c.code ? "link's" : "chapter's"
    } code${c.trace ? `, replaying one execution at step ${t.trace.step + 1}` : ''}${c.draft ? '; the draft was kept and restored' : ''}`,
  );
  await page.close();
}

/** A zlib bomb: `bytes` spaces, deflated. */
async function bombIsRefused(ctx: BrowserContext, base: string, t: Target, bytes: number, expect: RegExp) {
  const enc = deflateSync(Buffer.alloc(bytes, 0x20), { level: 9 }).toString('base64url');
  const where = `a link of ${enc.length} characters inflating to ${bytes / 1e6} MB`;
  const page = await freshPage(ctx, base, t, null);
  await page.addInitScript({ content: WATCH_STALLS });
  await page.goto(`${base}${t.path}#spec-${t.id}~${enc}`, { waitUntil: 'commit' });
  const b = page.locator(`spec-block#spec-${t.id}`);
  const error = b.locator('output [data-status="error"]');
  await error.waitFor({ timeout: 20_000 }).catch(() => {});
  await page.waitForTimeout(300);
  const stalls = await page.evaluate(
    () => (window as unknown as { __stalls: { worst: number; longTask: number } }).__stalls,
  );
  const message = (await error.count()) ? ((await error.textContent()) ?? '') : '';
  console.log(`    ${where}: worst main-thread stall ${stalls.worst.toFixed(1)} ms after DOMContentLoaded`);
  check(expect.test(message), `${where}: no clear message (${expect}): "${message}"`);
  check((await b.locator('pre.spec-plain').count()) === 0, `${where}: code was loaded`);
  check(!(await b.locator('.spec-edited').isVisible()), `${where}: the block is marked as changed`);
  await nothingRan(page, b, where);
  check(
    stalls.worst < STALL_LIMIT_MS,
    `${where}: the main thread stalled ${Math.round(stalls.worst)} ms (limit ${STALL_LIMIT_MS})`,
  );
  console.log(
    `  ✓ ${where}: refused ("${message.slice(0, 80)}…"); worst stall ${stalls.worst.toFixed(1)} ms (longest long task since navigation: ${stalls.longTask ? `${stalls.longTask.toFixed(0)} ms` : 'none'})`,
  );
  await page.close();
}

async function badDraftIsDropped(ctx: BrowserContext, base: string, t: Target, what: string, raw: string) {
  const page = await freshPage(ctx, base, t, raw);
  await page.goto(`${base}${t.path}`);
  const b = page.locator(`spec-block#spec-${t.id}`);
  const notice = b.locator('output .spec-draft-dropped');
  await notice.waitFor({ timeout: 20_000 }).catch(() => {});
  await page.waitForTimeout(300);
  check(await notice.isVisible(), `${what}: no notice that the draft was dropped`);
  check((await b.locator('pre.spec-plain').count()) === 0, `${what}: the draft was loaded`);
  check(
    (await page.evaluate((k) => localStorage.getItem(k), draftKey(t))) === null,
    `${what}: the draft was not removed`,
  );
  await nothingRan(page, b, what);
  console.log(`  ✓ ${what} draft dropped: "${await notice.textContent()}"`);
  await page.close();
}

/** Every case runs, so a failure names all that are broken; then the first is thrown. */
export async function linksAndDrafts(ctx: BrowserContext, base: string, path: string) {
  const page = await ctx.newPage();
  const t = await target(page, base, path);
  await page.close();
  console.log(`${path} (links and drafts, block #spec-${t.id})`);
  const failures: string[] = [];
  const attempt = async (f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      failures.push((e as Error).message);
      console.log(`  ✗ ${(e as Error).message}`);
      for (const p of ctx.pages()) if (p.url() !== 'about:blank') await p.close().catch(() => {});
    }
  };
  for (const draft of [false, true])
    for (const [code, trace] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const)
      await attempt(() => opensWithoutRunning(ctx, base, t, { code, trace, draft }));
  await attempt(() =>
    opensWithoutRunning(ctx, base, t, { code: true, trace: true, draft: true, onOpenPage: true }),
  );

  const code = `${t.code}\nconsole.log('${DRAFT_MARK}');`;
  const bad: [string, string][] = [
    ['a bad-JSON', '{"v":1,"code":'],
    ['an old raw-string', code],
    ['a version-2', JSON.stringify({ v: 2, code })],
    ['a non-string-code', JSON.stringify({ v: 1, code: 42 })],
    ['an oversize', JSON.stringify({ v: 1, code: code.padEnd(65 * 1024) })],
  ];
  for (const [what, raw] of bad) await attempt(() => badDraftIsDropped(ctx, base, t, what, raw));
  await attempt(() => goodDraftLoads(ctx, base, t, JSON.stringify({ v: 1, code })));
  check(failures.length === 0, `${failures.length} failed:\n${failures.join('\n')}`);
}

/**
 * Zlib bombs in a link are refused without stalling the main thread 100 ms. The stall is timed, so
 * the browser pass runs this with nothing of its own beside it (after its side-by-side tasks).
 */
export async function bombLinks(ctx: BrowserContext, base: string, path: string) {
  const page = await ctx.newPage();
  const t = await target(page, base, path);
  await page.close();
  const failures: string[] = [];
  for (const [bytes, expect] of [
    [50_000_000, /too long/],
    [10_000_000, /more than 64 KiB/],
  ] as const)
    try {
      await bombIsRefused(ctx, base, t, bytes, expect);
    } catch (e) {
      failures.push((e as Error).message);
      console.log(`  ✗ ${(e as Error).message}`);
      for (const p of ctx.pages()) if (p.url() !== 'about:blank') await p.close().catch(() => {});
    }
  check(failures.length === 0, `${failures.length} failed:\n${failures.join('\n')}`);
}

/** A well-formed draft still loads, marked edited, without running. */
async function goodDraftLoads(ctx: BrowserContext, base: string, t: Target, record: string) {
  const page = await freshPage(ctx, base, t, record);
  await page.goto(`${base}${t.path}`);
  const b = page.locator(`spec-block#spec-${t.id}`);
  await b.locator('.spec-edited', { hasText: 'edited' }).waitFor({ timeout: 20_000 });
  check(
    ((await b.locator('pre.spec-plain').textContent()) ?? '').includes(DRAFT_MARK),
    'a good draft is not shown',
  );
  await page.waitForTimeout(300);
  await nothingRan(page, b, 'a good draft');
  console.log('  ✓ a well-formed draft loads, marked edited, without running');
  await page.close();
}
