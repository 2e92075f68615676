/**
 * The spec-block runtime, loaded on first interaction (boot.ts). Run starts a fresh module worker
 * (run.worker.ts) and terminates it after the block's timeout or on Stop; Edit loads CodeMirror
 * (editor.ts); Copy link loads fflate (permalink.ts). Results go to the block's aria-live <output>.
 */
import { loadDraft, saveDraft } from './drafts.ts';
import type { EditorHandle } from './editor.ts';
import type { BlockErrorInfo, ExploreSummary, FromWorker } from './protocol.ts';

interface State {
  /** The code the block runs when it differs from the page's (a draft or a permalink). */
  code: string | null;
  origin: 'edited' | 'from link' | null;
  editor: EditorHandle | null;
  editorLoading: Promise<EditorHandle> | null;
  run: { worker: Worker; timer: number; finish: (r: Outcome) => void } | null;
}

type Outcome =
  | { status: 'pass'; ms: number }
  | { status: 'fail' | 'error'; ms: number; error: BlockErrorInfo }
  | { status: 'timeout'; ms: number }
  | { status: 'stopped'; ms: number }
  | { status: 'crash'; ms: number; message: string };

const states = new WeakMap<HTMLElement, State>();
function state(el: HTMLElement): State {
  let s = states.get(el);
  if (!s) {
    s = { code: null, origin: null, editor: null, editorLoading: null, run: null };
    states.set(el, s);
  }
  return s;
}

const $ = <T extends Element>(el: HTMLElement, sel: string) => el.querySelector(sel) as T;
const button = (el: HTMLElement, act: string) => $<HTMLButtonElement>(el, `button[data-act="${act}"]`);

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function currentCode(el: HTMLElement): string {
  const s = state(el);
  return s.editor ? s.editor.getCode() : (s.code ?? el.dataset.code ?? '');
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

function renderExplore(r: ExploreSummary): HTMLElement {
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
  if (r.counterexample) {
    box.append(
      h('p', {}, 'Counterexample (schedule ', h('code', {}, r.counterexample.schedule), '):'),
      h('pre', { class: 'spec-trace' }, r.counterexample.text),
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
  const t0 = performance.now();
  const worker = takeWorker();
  return new Promise<Outcome>((resolve) => {
    const finish = (o: Outcome) => {
      if (s.run?.worker !== worker) return;
      clearTimeout(s.run.timer);
      s.run = null;
      worker.terminate();
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
    s.run = { worker, timer, finish };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'log') {
        logs.hidden = false;
        logs.append(`${m.level === 'log' ? '' : `[${m.level}] `}${m.text}\n`);
      } else if (m.type === 'progress') {
        progress.textContent = `Exploring ${m.model}: ${m.executions} executions (${Math.round(m.perSec)}/s)…`;
      } else if (m.type === 'explore') {
        explores.append(renderExplore(m.result));
      } else if (m.type === 'done') {
        const ms = performance.now() - t0;
        finish(m.status === 'pass' ? { status: 'pass', ms } : { status: m.status, ms, error: m.error! });
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish({ status: 'crash', ms: performance.now() - t0, message: e.message || 'worker error' });
    };
    worker.postMessage({ code });
  });
}

function stop(el: HTMLElement) {
  const s = state(el);
  s.run?.finish({ status: 'stopped', ms: 0 });
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
    const original = el.dataset.code ?? '';
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
  $<HTMLOutputElement>(el, 'output').replaceChildren();
  button(el, 'edit').focus();
}

// --- Permalinks ---------------------------------------------------------------------------------
async function copyLink(el: HTMLElement) {
  const { encodeCode, MAX_LINK_CHARS } = await import('./permalink.ts');
  const out = $<HTMLOutputElement>(el, 'output');
  const code = currentCode(el);
  const base = `${location.origin}${location.pathname}#spec-${el.dataset.id}`;
  let url = base;
  if (code !== el.dataset.code) {
    const enc = encodeCode(code);
    if (enc.length > MAX_LINK_CHARS) {
      out.replaceChildren(
        h(
          'p',
          { 'data-status': 'error' },
          `This edit is too long to share as a link (${enc.length} characters compressed, the limit is ${MAX_LINK_CHARS}). Copy the code from the editor instead.`,
        ),
      );
      return;
    }
    url = `${base}~${enc}`;
  }
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
  out.replaceChildren(
    h(
      'p',
      { class: 'spec-link' },
      copied ? 'Link copied: ' : 'Copy this link: ',
      field,
      url === base ? '' : ' (it carries your edited code; opening it loads the code, it does not run it)',
    ),
  );
  if (!copied) field.select();
}

export async function openPermalink(hash: string) {
  const m = /^#spec-([\w-]+)~(.+)$/.exec(hash);
  if (!m) return;
  const el = document.getElementById(`spec-${m[1]}`);
  if (el?.tagName !== 'SPEC-BLOCK') return;
  const { decodeCode } = await import('./permalink.ts');
  const out = $<HTMLOutputElement>(el, 'output');
  let code: string;
  try {
    code = decodeCode(m[2]);
  } catch (e) {
    out.replaceChildren(
      h('p', { 'data-status': 'error' }, `This link's code cannot be read: ${(e as Error).message}`),
    );
    return;
  }
  showCode(el, code, 'from link');
  out.replaceChildren(
    h('p', {}, 'Code loaded from the link. Press Run to run it; Reset restores the chapter’s block.'),
  );
  el.scrollIntoView();
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
  }
}

export { loadDraft };
