/** Edit (CodeMirror, loaded on first use: editor.ts) and Reset; an edit is kept as a draft (drafts.ts). */
import { $, button, keptDrafts, pageCode, setOrigin, state, staticTraces } from './block.ts';
import { saveDraft } from './drafts.ts';

export async function edit(el: HTMLElement) {
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
        s.code = changed ? code : null;
        // While a link has set the reader's draft aside, edits are not saved over it.
        if (keptDrafts.has(el)) {
          setOrigin(el, changed ? (s.origin ?? 'edited') : null);
          return;
        }
        const kept = saveDraft(el.dataset.id ?? '', changed ? code : null);
        setOrigin(el, changed ? 'edited' : null);
        if (!kept) $<HTMLElement>(el, '.spec-edited').textContent = 'edited, too large to keep (64 KiB)';
      },
    });
    s.editor = editor;
    button(el, 'edit').textContent = 'Editing';
    return editor;
  })();
  (await s.editorLoading).focus();
}

export function reset(el: HTMLElement) {
  const s = state(el);
  // A draft a link set aside is the reader's: Reset leaves it to Restore my draft.
  if (!keptDrafts.has(el)) saveDraft(el.dataset.id ?? '', null);
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
