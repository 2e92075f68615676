/**
 * What block code may reach in the runner (run.worker.ts). A block, and above all one from a
 * link, is a stranger's code; it runs in the runner's worker after `lockDown()`:
 * - no network and no way out of the worker: fetch, XHR, WebSocket, EventSource, WebTransport,
 *   importScripts, nested workers, BroadcastChannel, IndexedDB, Cache Storage are removed from the
 *   global object and its prototype chain;
 * - no code from strings (eval, the Function constructors, string timers), so no `import()` can
 *   be hidden from the static check below;
 * - no channel to the page: `postMessage`/`onmessage` are gone; the runner answers on a private
 *   MessagePort the block cannot name.
 * `refuseImports()` is the static half: every `import(…)` in the block (dynamic imports are how a
 * module loads remote code) and any static import left after the rewriting is refused at its line.
 * What stays possible is said in README "Security".
 */
import { parse } from 'es-module-lexer/js';

export class SandboxError extends Error {
  override name = 'SandboxError';
  constructor(
    message: string,
    readonly at: { line: number; column: number } | null = null,
  ) {
    super(message);
  }
}

/** Globals a block must not have: network, other contexts, persistent storage. */
export const REMOVED = [
  'fetch',
  'fetchLater',
  'XMLHttpRequest',
  'XMLHttpRequestEventTarget',
  'XMLHttpRequestUpload',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'RTCPeerConnection',
  'RTCDataChannel',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  'indexedDB',
  'IDBFactory',
  'caches',
  'CacheStorage',
  'postMessage',
  'onmessage',
  'onmessageerror',
] as const;

function lineAt(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Refuse every `import(…)` and every static import in `js` (the block after import rewriting and
 * sucrase, which keep its lines). Blocks import `mmspec` and `mmspec/explorer` statically only.
 */
export function refuseImports(js: string): void {
  let imports: ReturnType<typeof parse>[0];
  try {
    [imports] = parse(js);
  } catch (e) {
    const idx = (e as { idx?: number }).idx;
    throw new SandboxError(
      'cannot read this block as JavaScript',
      idx === undefined ? null : lineAt(js, idx),
    );
  }
  for (const i of imports) {
    if (i.d === -2) continue; // import.meta: a property, not a load
    const what = i.d >= 0 ? 'a dynamic import()' : `an import of "${i.n ?? js.slice(i.s, i.e)}"`;
    throw new SandboxError(
      `${what} is not allowed in a spec block: blocks import only mmspec and mmspec/explorer, with a static import at the top`,
      lineAt(js, i.ss),
    );
  }
}

function refuse(what: string): never {
  throw new SandboxError(
    `${what} is not available to a spec block (it has no network and runs no code from strings)`,
  );
}

/** Remove `name` wherever it is defined on `obj`'s prototype chain, then pin it to `value`. */
function remove(obj: object, name: string, value: unknown = undefined): void {
  for (let o: object | null = obj; o; o = Object.getPrototypeOf(o))
    if (Object.hasOwn(o, name)) delete (o as Record<string, unknown>)[name];
  Object.defineProperty(obj, name, { value, writable: false, configurable: false });
}

/**
 * Lock the worker down before the block runs (irreversible: call it once, after the runner has
 * taken what it needs — its port, URL.createObjectURL).
 */
export function lockDown(): void {
  const g = globalThis as Record<string, unknown>;
  for (const name of REMOVED) remove(g, name);

  // A navigator without storage, service workers, locks or devices.
  const nav = g.navigator as Navigator | undefined;
  const plain = Object.freeze({
    userAgent: nav?.userAgent ?? '',
    language: nav?.language ?? 'en',
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  });
  remove(g, 'navigator', plain);

  // No code from strings: eval, every Function constructor (reachable as .constructor of any
  // function), and timers given a string. Each constructor becomes a stub that keeps its
  // .prototype, so `f instanceof Function` and `f.constructor === Function` still hold.
  remove(g, 'eval');
  const protos = [() => {}, async () => {}, function* () {}, async function* () {}].map(
    (f) => Object.getPrototypeOf(f) as object,
  );
  for (const proto of protos) {
    const stub = function refusedFunctionConstructor() {
      refuse('the Function constructor');
    };
    Object.defineProperty(stub, 'prototype', { value: proto, writable: false });
    Object.defineProperty(proto, 'constructor', { value: stub, writable: false, configurable: false });
    if (proto === Function.prototype) remove(g, 'Function', stub);
  }
  for (const timer of ['setTimeout', 'setInterval'] as const) {
    const real = g[timer] as (f: unknown, ms?: number, ...a: unknown[]) => number;
    const safe = (f: unknown, ms?: number, ...a: unknown[]) =>
      typeof f === 'function' ? real(f, ms, ...a) : refuse(`${timer} with a string`);
    remove(g, timer, safe);
  }
}
