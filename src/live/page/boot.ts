/**
 * The only spec-block code loaded with a page (kept tiny: the page-weight budget is in `npm run
 * bench`). It loads the runtime (controller.ts) on the first click on a block's control, or at once
 * when a block has a saved draft or the URL is a block link — to show that code, never to run it:
 * nothing runs until the reader clicks Run.
 */
import { hasDraft } from './draft-key.ts';

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

// A linked block's draft is left to openPermalink, which sets it aside: a link never runs a draft,
// and a draft never replaces a link's code.
const linked = /^#spec-([\w-]+)[~?]/.exec(location.hash)?.[1];
for (const el of document.querySelectorAll<HTMLElement>('spec-block')) {
  const id = el.dataset.id ?? '';
  if (id !== linked && hasDraft(id)) load().then((c) => c.openDraft(el));
}
if (linked) load().then((c) => c.openPermalink(location.hash));

// A block link followed on this page already open (pasted into the address bar, or a link to a
// block of this chapter) changes only the hash: nothing would read it. Load the page again, as
// opening the link anywhere else does: the link is shown, nothing runs, the reader's drafts stay.
addEventListener('hashchange', () => {
  if (/^#spec-[\w-]+[~?]/.test(location.hash)) location.reload();
});
