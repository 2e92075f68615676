/**
 * A spec block's state in the page, and the helpers every part of the runtime shares: the code it
 * would run (the chapter's, read back from the highlighted lines, or a draft's or a link's), its
 * "edited"/"from link" mark, and its output.
 */
import type { Replay } from '../shared/capture.ts';
import { codeHash } from '../shared/code-hash.ts';
import type { BlockErrorInfo } from '../shared/protocol.ts';
import { h } from './dom.ts';
import type { EditorHandle } from './editor.ts';
import type { TraceView } from './trace-view.ts';

/** A counterexample on show: what Copy link shares (the schedule, and the step in view). */
export interface Shown extends Replay {
  view: TraceView | null;
}

export interface State {
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

export type Outcome =
  | { status: 'pass'; ms: number }
  | { status: 'fail' | 'error'; ms: number; error: BlockErrorInfo }
  | { status: 'timeout'; ms: number }
  | { status: 'stopped'; ms: number }
  | { status: 'crash'; ms: number; message: string };

const states = new WeakMap<HTMLElement, State>();

export function state(el: HTMLElement): State {
  let s = states.get(el);
  if (!s) {
    s = { code: null, origin: null, editor: null, editorLoading: null, run: null, replay: null, shown: null };
    states.set(el, s);
  }
  return s;
}

export const $ = <T extends Element>(el: HTMLElement, sel: string) => el.querySelector(sel) as T;

export const button = (el: HTMLElement, act: string) => $<HTMLButtonElement>(el, `button[data-act="${act}"]`);

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

export function staticTraces(el: HTMLElement): HTMLElement | null {
  return el.querySelector<HTMLElement>('.spec-traces');
}

export function setOrigin(el: HTMLElement, origin: State['origin']) {
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

/** The link line in the output (replacing an earlier one, keeping the run's results). */
export function say(el: HTMLElement, p: HTMLElement) {
  const out = $<HTMLOutputElement>(el, 'output');
  out.querySelector(':scope > .spec-link')?.remove();
  p.classList.add('spec-link');
  out.prepend(p);
}

/** Drafts a link set aside (the stored draft stays untouched until restored): links.ts, edit.ts. */
export const keptDrafts = new WeakMap<HTMLElement, string>();
