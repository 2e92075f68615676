/**
 * The only spec-block code loaded with a page (kept tiny: the page-weight budget is in `npm run
 * bench`). It loads the runtime (controller.ts) on the first click on a block's control, or at once
 * when a block has a saved draft or the URL carries an edited block (a permalink) — loaded into the
 * block, never run until the reader clicks Run.
 */
import { loadDraft } from './drafts.ts';

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
  const draft = loadDraft(el.dataset.id ?? '');
  if (draft !== null) load().then((c) => c.showCode(el, draft, 'edited'));
}

if (/^#spec-[\w-]+[~?]/.test(location.hash)) load().then((c) => c.openPermalink(location.hash));
