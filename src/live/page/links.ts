/**
 * Links and drafts. Copy link puts the edited code (deflated) and the counterexample on show in the
 * URL (permalink.ts); opening a link runs nothing: the block shows the code Run would run, with its
 * diff against the chapter's (link-diff.ts), and says what Run will do. A reader's draft is never
 * run or replaced by a link: it is set aside, and Restore my draft brings it back.
 */
import { $, button, currentCode, keptDrafts, pageCode, say, showCode, state } from './block.ts';
import { h } from './dom.ts';
import { loadDraft, saveDraft } from './drafts.ts';

export async function copyLink(el: HTMLElement) {
  const { encodeCode, linkHash, MAX_HASH_CHARS, MAX_LINK_CHARS } = await import('./permalink.ts');
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
  const hash = linkHash({ id: el.dataset.id ?? '', code: enc, trace });
  // A page does not read longer links (openPermalink): do not make one.
  if (hash.length > MAX_HASH_CHARS) {
    say(
      el,
      h(
        'p',
        { 'data-status': 'error' },
        `This link would be too long to open (${hash.length} characters, the limit is ${MAX_HASH_CHARS}).`,
      ),
    );
    return;
  }
  const url = `${location.origin}${location.pathname}${hash}`;
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
            trace ? 'opening it shows what Run will replay' : 'opening it shows the code'
          }, and runs nothing until Run is clicked)`
        : '',
    ),
  );
  if (!copied) field.select();
}

/** The block's draft, if any: shown marked "edited", or, if it is not a valid record, dropped with a notice. */
export function openDraft(el: HTMLElement) {
  const draft = loadDraft(el.dataset.id ?? '');
  if (!draft) return;
  if ('error' in draft) dropDraft(el, draft.error);
  else showCode(el, draft.code, 'edited');
}

function dropDraft(el: HTMLElement, why: string) {
  saveDraft(el.dataset.id ?? '', null);
  $<HTMLOutputElement>(el, 'output').append(
    h(
      'p',
      { class: 'spec-draft-dropped', 'data-status': 'error' },
      `Your saved draft of this block was dropped: ${why}. The chapter’s code is shown.`,
    ),
  );
}

/** A link opened the block: its draft is neither shown nor run, and Restore my draft brings it back. */
function setDraftAside(el: HTMLElement, shown: 'the link’s code' | 'the chapter’s code') {
  const draft = loadDraft(el.dataset.id ?? '');
  if (!draft) return;
  if ('error' in draft) {
    dropDraft(el, draft.error);
    return;
  }
  keptDrafts.set(el, draft.code);
  $<HTMLElement>(el, '.spec-bar').before(
    h(
      'p',
      { class: 'spec-kept not-content' },
      `Your draft of this block is kept, not loaded: ${shown} is shown, and edits are not saved over your draft. `,
      h('button', { type: 'button', 'data-act': 'restore' }, 'Restore my draft'),
    ),
  );
}

export function restoreDraft(el: HTMLElement) {
  const code = keptDrafts.get(el);
  if (code === undefined) return;
  keptDrafts.delete(el);
  el.querySelector('.spec-kept')?.remove();
  // The link's schedule was for the link's code; the draft runs as a plain Run.
  state(el).replay = null;
  const out = $<HTMLOutputElement>(el, 'output');
  for (const n of out.querySelectorAll(':scope > .spec-link-notice, :scope > .spec-diff')) n.remove();
  showCode(el, code, 'edited');
  out.prepend(h('p', { class: 'spec-link-notice' }, 'Your draft is back. Nothing has run.'));
  button(el, 'run').focus();
}

/**
 * Open a block link. Nothing runs: the block shows the code Run would run (a link's code, with its
 * diff against the chapter's, or the chapter's own; never the reader's draft, which is set aside)
 * and says what Run will do; a schedule makes that Run replay the linked interleaving.
 */
export async function openPermalink(hash: string) {
  const { decodeCode, parseLink } = await import('./permalink.ts');
  const id = /^#spec-([\w-]+)/.exec(hash)?.[1];
  const el = id ? document.getElementById(`spec-${id}`) : null;
  if (el?.tagName !== 'SPEC-BLOCK') return;
  const out = $<HTMLOutputElement>(el, 'output');
  let code: string | null = null;
  let link: ReturnType<typeof parseLink> = null;
  let error: string | null = null;
  try {
    link = parseLink(hash);
    if (link?.code) code = decodeCode(link.code);
  } catch (e) {
    error = (e as Error).message;
  }
  if (error === null && (!link || (code === null && !link.trace))) {
    openDraft(el); // not a link after all: boot.ts left the block's draft to us
    return;
  }
  el.scrollIntoView();
  if (error !== null || !link) {
    out.replaceChildren(
      h(
        'p',
        { 'data-status': 'error' },
        `This link cannot be read: ${error}. Nothing was loaded; the chapter’s code is shown.`,
      ),
    );
    setDraftAside(el, 'the chapter’s code');
    return;
  }
  const diff = code === null ? null : (await import('./link-diff.ts')).diffView(pageCode(el), code);
  if (code !== null) showCode(el, code, 'from link');
  if (link.trace) state(el).replay = link.trace;
  const t = link.trace;
  const does = [
    code !== null ? 'runs the code from the link' : '',
    t
      ? `replays exploration #${t.index + 1} of model “${t.model}” along the linked schedule, opening at step ${t.step + 1}`
      : '',
  ].filter(Boolean);
  out.replaceChildren(
    h(
      'p',
      { class: 'spec-link-notice' },
      `Opened from a link${code !== null ? ': the code shown, marked “from link”, is not the chapter’s' : ''}. Nothing has run. Run ${does.join(' and ')}; Reset restores the chapter’s block.`,
    ),
  );
  if (diff) out.append(diff);
  setDraftAside(el, code !== null ? 'the link’s code' : 'the chapter’s code');
}
