/**
 * The spec-block runtime, loaded on first interaction (boot.ts). Run starts a fresh module worker
 * (run.worker.ts) and terminates it after the block's timeout or on Stop; Edit loads CodeMirror
 * (editor.ts); Copy link loads fflate (permalink.ts). Results go to the block's aria-live <output>.
 */

import type { Replay, Variant } from './capture.ts';
import { codeHash } from './code-hash.ts';
import { h } from './dom.ts';
import { loadDraft, saveDraft } from './drafts.ts';
import type { EditorHandle } from './editor.ts';
import liveCss from './live.css?inline';
import type { BlockErrorInfo, ExploreSummary, FromWorker, ToWorker } from './protocol.ts';
import type { TraceView } from './trace-view.ts';

/** A counterexample on show: what Copy link shares (the schedule, and the step in view). */
interface Shown extends Replay {
  view: TraceView | null;
}

interface State {
  /** The code the block runs when it differs from the page's (a draft or a permalink). */
  code: string | null;
  origin: 'edited' | 'from link' | null;
  editor: EditorHandle | null;
  editorLoading: Promise<EditorHandle> | null;
  run: { worker: Worker; timer: number; finish: (r: Outcome) => void; t0: number } | null;
  /** The next Run replays this (opened from a link with a schedule). */
  replay: (Replay & { step: number }) | null;
  shown: Shown | null;
}

type Outcome =
  | { status: 'pass'; ms: number }
  | { status: 'fail' | 'error'; ms: number; error: BlockErrorInfo }
  | { status: 'timeout'; ms: number }
  | { status: 'stopped'; ms: number }
  | { status: 'crash'; ms: number; message: string };

// The live view's styles come with the runtime (a plain CSS import would be put in every page).
document.head.append(Object.assign(document.createElement('style'), { textContent: liveCss }));

const states = new WeakMap<HTMLElement, State>();
function state(el: HTMLElement): State {
  let s = states.get(el);
  if (!s) {
    s = { code: null, origin: null, editor: null, editorLoading: null, run: null, replay: null, shown: null };
    states.set(el, s);
  }
  return s;
}

const $ = <T extends Element>(el: HTMLElement, sel: string) => el.querySelector(sel) as T;
const button = (el: HTMLElement, act: string) => $<HTMLButtonElement>(el, `button[data-act="${act}"]`);

const pageCodes = new WeakMap<HTMLElement, string>();
/**
 * The chapter's code of a block, read from its highlighted lines (Expressive Code: one `.ec-line`
 * per line; the folded-section summary is not code) and checked against the build's hash.
 */
export function pageCode(el: HTMLElement): string {
  let code = pageCodes.get(el);
  if (code === undefined) {
    const lines = [...el.querySelectorAll('.spec-code .ec-line')]
      .filter((l) => !l.closest('summary'))
      .map((l) => (l.querySelector('.code')?.textContent ?? '').replace(/\n$/, ''));
    code = lines.join('\n');
    if (codeHash(code) !== el.dataset.codeHash)
      throw new Error(
        `cannot read the code of “${el.dataset.name}” back from the page (hash ${codeHash(code)}, built ${el.dataset.codeHash})`,
      );
    pageCodes.set(el, code);
  }
  return code;
}

export function currentCode(el: HTMLElement): string {
  const s = state(el);
  return s.editor ? s.editor.getCode() : (s.code ?? pageCode(el));
}

// --- Workers: a fresh one per run; one spare is started ahead so a warm Run does not wait ---------
let spare: Worker | null = null;
function newWorker(): Worker {
  return new Worker(new URL('./run.worker.ts', import.meta.url), { type: 'module', name: 'mmspec-run' });
}
function takeWorker(): Worker {
  const w = spare ?? newWorker();
  spare = null;
  return w;
}
function prepareSpare() {
  setTimeout(() => {
    spare ??= newWorker();
  }, 0);
}
/** Give a worker its one job and listen on the job's private port (protocol.ts). */
function startJob(worker: Worker, job: ToWorker, onMessage: (m: FromWorker) => void): MessagePort {
  const channel = new MessageChannel();
  channel.port1.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.postMessage(job, [channel.port2]);
  return channel.port1;
}

// --- Output -------------------------------------------------------------------------------------
function codeLineText(el: HTMLElement, line: number): string {
  return currentCode(el).split('\n')[line - 1]?.trim() ?? '';
}

function where(el: HTMLElement, at: { line: number } | null): string {
  if (!at) return '';
  const mdxLine = Number(el.dataset.codeLine) + at.line - 1;
  const edited = state(el).code !== null || state(el).editor?.isEdited();
  return ` at line ${at.line} of the block${edited ? '' : ` (${el.dataset.file}:${mdxLine})`}`;
}

function staticTraces(el: HTMLElement): HTMLElement | null {
  return el.querySelector<HTMLElement>('.spec-traces');
}

/** The live view of a counterexample: loaded on demand, it replaces the build-time picture. */
function showTrace(el: HTMLElement, r: ExploreSummary, box: HTMLElement, start: number) {
  const cex = r.counterexample;
  if (!cex) return;
  const s = state(el);
  const shown: Shown = { index: r.index, model: r.model, schedule: cex.schedule, view: null };
  s.shown ??= shown;
  const slot = h('div', { class: 'spec-trace-slot' }, 'Drawing the counterexample…');
  box.append(slot);
  const t = staticTraces(el);
  if (t) t.hidden = true;
  import('./trace-view.ts').then(({ traceView }) => {
    shown.view = traceView(cex, {
      model: r.model,
      index: r.index,
      start,
      onStep: () => {
        state(el).shown = shown;
      },
    });
    slot.replaceWith(shown.view.element);
  });
}

function renderExplore(r: ExploreSummary, fromLink = false): HTMLElement {
  const c = r.counts;
  const counts = ['executions', 'complete', 'deadlocked', 'violating', 'traces', 'finalStates']
    .filter((k) => c[k] !== undefined)
    .map((k) => `${k === 'finalStates' ? 'final states' : k} ${c[k]}`)
    .join(' · ');
  const box = h(
    'div',
    { class: 'spec-explore', 'data-verdict': r.verdict },
    h('p', {}, h('strong', {}, `${r.model}: ${r.verdict}`), ` — ${r.text}`),
    h('p', { class: 'spec-counts' }, counts),
  );
  if (fromLink && r.strategy === 'replay')
    box.append(h('p', { class: 'spec-replayed' }, 'Replayed the schedule from the link.'));
  if (r.counterexample) {
    box.append(
      h(
        'details',
        {},
        h('summary', {}, 'Counterexample as text (schedule ', h('code', {}, r.counterexample.schedule), ')'),
        h('pre', { class: 'spec-trace' }, r.counterexample.text),
      ),
    );
  }
  return box;
}

function describe(el: HTMLElement, o: Outcome): { status: string; text: string } {
  const timeout = Number(el.dataset.timeout);
  switch (o.status) {
    case 'pass':
      return { status: 'pass', text: `✓ Passed in ${Math.round(o.ms)} ms.` };
    case 'fail':
    case 'error': {
      const at = o.error.at;
      const line = at ? codeLineText(el, at.line) : '';
      const kind = o.status === 'error' ? 'Cannot run' : 'Failed';
      return {
        status: o.status,
        text: `✗ ${kind}${where(el, at)}: ${o.error.name}: ${o.error.message}${line ? `\n  ${at?.line} | ${line}` : ''}`,
      };
    }
    case 'timeout':
      return {
        status: 'timeout',
        text: `✗ Timed out after ${timeout} ms: the block was stopped (its worker terminated). A block runs for at most timeout=${timeout} ms; give explore() a budget (maxExecutions, timeMs) or raise the block's timeout.`,
      };
    case 'stopped':
      return { status: 'stopped', text: `■ Stopped after ${Math.round(o.ms)} ms.` };
    case 'crash':
      return { status: 'error', text: `✗ The runner failed to start: ${o.message}` };
  }
}

// --- Run ----------------------------------------------------------------------------------------
function run(el: HTMLElement): Promise<Outcome> {
  const s = state(el);
  if (s.run) return Promise.resolve({ status: 'stopped', ms: 0 });
  const out = $<HTMLOutputElement>(el, 'output');
  const progress = h('span', { class: 'spec-progress', 'aria-live': 'off' }, 'Running…');
  const logs = h('pre', { class: 'spec-logs', hidden: '' });
  const explores = h('div', { class: 'spec-explores' });
  out.replaceChildren(progress, explores, logs);
  out.dataset.state = 'running';
  el.dataset.state = 'running';
  const runBtn = button(el, 'run');
  const stopBtn = button(el, 'stop');
  runBtn.disabled = true;
  stopBtn.hidden = false;
  s.editor?.markLine(null);

  const code = currentCode(el);
  const replay = s.replay;
  s.replay = null;
  s.shown = null;
  const seen = new Set<string>();
  const t0 = performance.now();
  const worker = takeWorker();
  let port: MessagePort | null = null;
  return new Promise<Outcome>((resolve) => {
    const finish = (o: Outcome) => {
      if (s.run?.worker !== worker) return;
      clearTimeout(s.run.timer);
      s.run = null;
      worker.terminate();
      port?.close();
      const d = describe(el, o);
      progress.remove();
      out.prepend(h('p', { class: 'spec-status', 'data-status': d.status }, d.text));
      out.dataset.state = d.status;
      el.dataset.state = d.status;
      runBtn.disabled = false;
      stopBtn.hidden = true;
      if ((o.status === 'fail' || o.status === 'error') && o.error.at) s.editor?.markLine(o.error.at.line);
      if (document.activeElement === stopBtn || document.activeElement === document.body) runBtn.focus();
      prepareSpare();
      resolve(o);
    };
    const timer = window.setTimeout(
      () => finish({ status: 'timeout', ms: performance.now() - t0 }),
      Number(el.dataset.timeout),
    );
    s.run = { worker, timer, finish, t0 };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'log') {
        logs.hidden = false;
        logs.append(`${m.level === 'log' ? '' : `[${m.level}] `}${m.text}\n`);
      } else if (m.type === 'progress') {
        progress.textContent = `Exploring ${m.model}: ${m.executions} executions (${Math.round(m.perSec)}/s)…`;
      } else if (m.type === 'explore') {
        const box = renderExplore(m.result, replay?.index === m.result.index);
        explores.append(box);
        const cex = m.result.counterexample;
        // Draw each distinct counterexample once (a replay of one just found is the same picture).
        if (cex && !seen.has(`${m.result.model}\u0000${cex.schedule}`)) {
          seen.add(`${m.result.model}\u0000${cex.schedule}`);
          const start = replay?.index === m.result.index ? replay.step : 0;
          showTrace(el, m.result, box, start);
        }
      } else if (m.type === 'done') {
        const ms = performance.now() - t0;
        finish(m.status === 'pass' ? { status: 'pass', ms } : { status: m.status, ms, error: m.error! });
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish({ status: 'crash', ms: performance.now() - t0, message: e.message || 'worker error' });
    };
    port = startJob(worker, { code, replay }, onMessage);
  });
}

function stop(el: HTMLElement) {
  const s = state(el);
  s.run?.finish({ status: 'stopped', ms: performance.now() - s.run.t0 });
}

// --- Edit, drafts, reset ------------------------------------------------------------------------
function setOrigin(el: HTMLElement, origin: State['origin']) {
  const s = state(el);
  s.origin = origin;
  const mark = $<HTMLElement>(el, '.spec-edited');
  mark.hidden = origin === null;
  mark.textContent = origin ?? '';
  button(el, 'reset').disabled = origin === null;
}

/** Show code other than the page's (a draft or a permalink) without loading the editor. */
export function showCode(el: HTMLElement, code: string, origin: 'edited' | 'from link') {
  const s = state(el);
  s.code = code;
  if (s.editor) s.editor.setCode(code);
  else {
    const box = $<HTMLElement>(el, '.spec-code');
    box.querySelector('pre.spec-plain')?.remove();
    for (const c of box.children) (c as HTMLElement).hidden = true;
    box.append(h('pre', { class: 'spec-plain not-content', tabindex: '0' }, h('code', {}, code)));
  }
  setOrigin(el, origin);
}

async function edit(el: HTMLElement) {
  const s = state(el);
  if (s.editor) {
    s.editor.focus();
    return;
  }
  s.editorLoading ??= (async () => {
    const { mountEditor } = await import('./editor.ts');
    const box = $<HTMLElement>(el, '.spec-code');
    box.querySelector('pre.spec-plain')?.remove();
    for (const c of box.children) (c as HTMLElement).hidden = true;
    const original = pageCode(el);
    const hidden = (el.dataset.hidden ?? '').split(',').filter(Boolean).map(Number);
    const editor = mountEditor(box, s.code ?? original, {
      label: `Code of “${el.dataset.name}”`,
      hiddenLines: s.code === null ? hidden : [],
      onChange(code) {
        const changed = code !== original;
        saveDraft(el.dataset.id ?? '', changed ? code : null);
        s.code = changed ? code : null;
        setOrigin(el, changed ? 'edited' : null);
      },
    });
    s.editor = editor;
    button(el, 'edit').textContent = 'Editing';
    return editor;
  })();
  (await s.editorLoading).focus();
}

function reset(el: HTMLElement) {
  const s = state(el);
  saveDraft(el.dataset.id ?? '', null);
  s.editor?.destroy();
  s.editor = null;
  s.editorLoading = null;
  s.code = null;
  const box = $<HTMLElement>(el, '.spec-code');
  box.querySelector('pre.spec-plain')?.remove();
  for (const c of box.children) (c as HTMLElement).hidden = false;
  button(el, 'edit').textContent = 'Edit';
  setOrigin(el, null);
  s.replay = null;
  s.shown = null;
  $<HTMLOutputElement>(el, 'output').replaceChildren();
  const t = staticTraces(el);
  if (t) t.hidden = false;
  button(el, 'edit').focus();
}

// --- Permalinks ---------------------------------------------------------------------------------
/** The link line in the output (replacing an earlier one, keeping the run's results). */
function say(el: HTMLElement, p: HTMLElement) {
  const out = $<HTMLOutputElement>(el, 'output');
  out.querySelector(':scope > .spec-link')?.remove();
  p.classList.add('spec-link');
  out.prepend(p);
}

async function copyLink(el: HTMLElement) {
  const { encodeCode, linkHash, MAX_LINK_CHARS } = await import('./permalink.ts');
  const s = state(el);
  const code = currentCode(el);
  let enc: string | null = null;
  if (code !== pageCode(el)) {
    enc = encodeCode(code);
    if (enc.length > MAX_LINK_CHARS) {
      say(
        el,
        h(
          'p',
          { 'data-status': 'error' },
          `This edit is too long to share as a link (${enc.length} characters compressed, the limit is ${MAX_LINK_CHARS}). Copy the code from the editor instead.`,
        ),
      );
      return;
    }
  }
  const shown = s.shown;
  const trace = shown ? { ...shown, step: shown.view?.step ?? 0 } : null;
  const url = `${location.origin}${location.pathname}${linkHash({ id: el.dataset.id ?? '', code: enc, trace })}`;
  const field = h('input', {
    type: 'text',
    readonly: '',
    value: url,
    'aria-label': 'Link to this block',
    size: '40',
  });
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {}
  const carries = [
    enc ? 'your edited code' : '',
    trace ? `the counterexample's schedule (step ${trace.step + 1})` : '',
  ].filter(Boolean);
  say(
    el,
    h(
      'p',
      {},
      copied ? 'Link copied: ' : 'Copy this link: ',
      field,
      carries.length
        ? ` (it carries ${carries.join(' and ')}; ${
            enc ? 'opening it loads the code, it does not run it' : 'opening it replays that interleaving'
          })`
        : '',
    ),
  );
  if (!copied) field.select();
}

/**
 * Open a block link: edited code is loaded but runs only on Run; a schedule makes the next Run
 * replay that interleaving, at once when the code is the chapter's own.
 */
export async function openPermalink(hash: string) {
  const { decodeCode, parseLink } = await import('./permalink.ts');
  const id = /^#spec-([\w-]+)/.exec(hash)?.[1];
  const el = id ? document.getElementById(`spec-${id}`) : null;
  if (el?.tagName !== 'SPEC-BLOCK') return;
  const out = $<HTMLOutputElement>(el, 'output');
  let code: string | null = null;
  let link: ReturnType<typeof parseLink>;
  try {
    link = parseLink(hash);
    if (link?.code) code = decodeCode(link.code);
  } catch (e) {
    out.replaceChildren(
      h('p', { 'data-status': 'error' }, `This link cannot be read: ${(e as Error).message}`),
    );
    return;
  }
  if (!link || (code === null && !link.trace)) return;
  el.scrollIntoView();
  if (code !== null) showCode(el, code, 'from link');
  if (link.trace) state(el).replay = link.trace;
  if (code === null) {
    await run(el);
    return;
  }
  out.replaceChildren(
    h(
      'p',
      {},
      `Code${link.trace ? ' and a counterexample’s schedule' : ''} loaded from the link. Press Run to run it; Reset restores the chapter’s block.`,
    ),
  );
}

// --- The kernel-era toggle ------------------------------------------------------------------------
interface Headless {
  variant: string;
  explores: ExploreSummary[];
  status: string;
  error?: string;
}

/** Run the block once in its own worker under a variant, collecting its explorations. */
function runUnder(code: string, name: string, variant: Variant, timeoutMs: number): Promise<Headless> {
  const worker = newWorker();
  const explores: ExploreSummary[] = [];
  return new Promise((resolve) => {
    let done = false;
    const end = (status: string, error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.terminate();
      port.close();
      resolve({ variant: name, explores, status, error });
    };
    const timer = window.setTimeout(() => end('timeout', `timed out after ${timeoutMs} ms`), timeoutMs);
    worker.onerror = (e) => {
      e.preventDefault();
      end('error', e.message || 'worker error');
    };
    const port = startJob(worker, { code, variant }, (m) => {
      if (m.type === 'explore') explores.push(m.result);
      else if (m.type === 'done') end(m.status, m.error ? `${m.error.name}: ${m.error.message}` : undefined);
    });
  });
}

/** Rerun the block under each of its variants and show the verdicts side by side. */
async function compare(el: HTMLElement) {
  const { parseVariant } = await import('./capture.ts');
  const names = (el.dataset.variants ?? '').split(',').filter(Boolean);
  const out = $<HTMLOutputElement>(el, 'output');
  out.querySelector(':scope > .spec-variants')?.remove();
  const box = h('div', { class: 'spec-variants' }, `Running under ${names.join(', ')}…`);
  out.append(box);
  const btn = button(el, 'variants');
  btn.disabled = true;
  const code = currentCode(el);
  const results = await Promise.all(
    names.map((n) => runUnder(code, n, parseVariant(n), Number(el.dataset.timeout))),
  );
  btn.disabled = false;
  const rows = Math.max(...results.map((r) => r.explores.length));
  const head = h('tr', {}, h('th', { scope: 'col' }, 'exploration'));
  for (const r of results) head.append(h('th', { scope: 'col' }, h('code', {}, r.variant)));
  const body: HTMLElement[] = [];
  for (let i = 0; i < rows; i++) {
    const model = results.find((r) => r.explores[i])?.explores[i].model ?? `#${i + 1}`;
    const tr = h('tr', {}, h('th', { scope: 'row' }, model));
    for (const r of results) {
      const x = r.explores[i];
      const cex = x?.counterexample;
      tr.append(
        x
          ? h(
              'td',
              { 'data-verdict': x.verdict },
              h('strong', {}, x.verdict),
              cex ? ` — '${cex.assertion}' (${cex.steps.length} steps)` : '',
            )
          : h('td', {}, '—'),
      );
    }
    body.push(tr);
  }
  const own = h('tr', {}, h('th', { scope: 'row' }, 'the block’s expect()s'));
  for (const r of results)
    own.append(
      h(
        'td',
        { 'data-status': r.status },
        r.status === 'pass' ? 'pass' : `${r.status}${r.error ? `: ${r.error}` : ''}`,
      ),
    );
  body.push(own);
  box.replaceChildren(
    h(
      'table',
      { class: 'spec-variants-table' },
      h('caption', {}, 'The same block under each kernel variant (era[+mutation]):'),
      h('thead', {}, head),
      h('tbody', {}, ...body),
    ),
  );
}

// --- Entry --------------------------------------------------------------------------------------
export function act(el: HTMLElement, what: string): Promise<unknown> | undefined {
  switch (what) {
    case 'run':
      return run(el);
    case 'stop':
      return Promise.resolve(stop(el));
    case 'edit':
      return edit(el);
    case 'reset':
      return Promise.resolve(reset(el));
    case 'link':
      return copyLink(el);
    case 'variants':
      return compare(el);
  }
}

export { loadDraft };
