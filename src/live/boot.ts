/**
 * The only spec-block code loaded with a page (kept tiny: the page-weight budget is in `npm run
 * bench`). It marks blocks that have a saved draft and loads the runtime on the first click, or
 * at once when the URL carries an edited block (a permalink), which is loaded but never run.
 */
export const DRAFT_PREFIX = 'mmspec:draft:';

type Controller = typeof import('./controller.ts');
let runtime: Promise<Controller> | undefined;
const load = () => {
  runtime ??= import('./controller.ts');
  return runtime;
};

document.addEventListener('click', (e) => {
  const button = (e.target as Element | null)?.closest?.('spec-block button[data-act]');
  if (!(button instanceof HTMLButtonElement)) return;
  const block = button.closest('spec-block') as HTMLElement;
  load().then((c) => c.act(block, button.dataset.act ?? ''));
});

for (const el of document.querySelectorAll<HTMLElement>('spec-block')) {
  let draft: string | null = null;
  try {
    draft = localStorage.getItem(DRAFT_PREFIX + location.pathname + '#' + el.dataset.id);
  } catch {}
  if (draft !== null) load().then((c) => c.showDraft(el, draft));
}

if (/^#spec-[\w-]+~/.test(location.hash)) load().then((c) => c.openPermalink(location.hash));
