/**
 * The spec-block runtime, loaded on first interaction (boot.ts): the buttons' entry point. Its
 * parts: block.ts (a block's state and code), run.ts (Run, Stop, the output), edit.ts (Edit,
 * Reset), links.ts (Copy link, opening a link, drafts), compare.ts (Compare kernels),
 * trace-view.ts (a counterexample's live view).
 */
import { compare } from './compare.ts';
import { edit, reset } from './edit.ts';
import { copyLink, restoreDraft } from './links.ts';
import liveCss from './live.css?inline';
import { run, stop } from './run.ts';

// The live view's styles come with the runtime (a plain CSS import would be put in every page).
document.head.append(Object.assign(document.createElement('style'), { textContent: liveCss }));

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
    case 'restore':
      return Promise.resolve(restoreDraft(el));
    case 'link':
      return copyLink(el);
    case 'variants':
      return compare(el);
  }
}

export { openDraft, openPermalink } from './links.ts';
