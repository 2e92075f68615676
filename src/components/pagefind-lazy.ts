/**
 * What Starlight's Search gets for `import('@pagefind/default-ui')` (a Vite alias in
 * astro.config.mjs; Starlight imports it on idle): a PagefindUI that loads Pagefind's real UI and
 * stylesheet only when the search dialog first opens, then focuses its input.
 */
import cssUrl from './pagefind-ui.css?url';

type Options = { element: string } & Record<string, unknown>;

export class PagefindUI {
  constructor(options: Options) {
    const dialog = document.querySelector<HTMLDialogElement>('site-search dialog');
    let loaded = false;
    const load = async () => {
      if (loaded) return;
      loaded = true;
      observer.disconnect();
      // A <link> rather than `import './pagefind-ui.css'`: Astro would link an imported stylesheet
      // from every page.
      const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: cssUrl });
      const styled = new Promise((resolve) => {
        link.onload = link.onerror = resolve;
      });
      document.head.append(link);
      const [{ PagefindUI: Real }] = await Promise.all([
        // Not the aliased specifier: the real module.
        // @ts-expect-error — no types for @pagefind/default-ui (Starlight says the same).
        import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs'),
        styled,
      ]);
      new Real(options);
      if (dialog?.open) document.querySelector<HTMLInputElement>(`${options.element} input`)?.focus();
    };
    const observer = new MutationObserver(() => {
      if (dialog?.open) load();
    });
    if (!dialog || dialog.open) load();
    else observer.observe(dialog, { attributes: true, attributeFilter: ['open'] });
  }
}
