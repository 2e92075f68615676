// The site: Astro + Starlight, chapters in the top-level content/ (src/content.config.ts).
// Spec fences become <SpecBlock> islands through the shared extractor (src/live/build/remark-spec.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unified } from '@astrojs/markdown-remark';
import starlight from '@astrojs/starlight';
import { pluginCollapsibleSections } from '@expressive-code/plugin-collapsible-sections';
import { defineConfig } from 'astro/config';
import { codeTokens } from './src/live/build/code-tokens.ts';
import { cspMeta, SECURITY_HEADERS } from './src/live/build/csp.ts';
import { purgeCss } from './src/live/build/purge-css.ts';
import remarkSpecBlocks from './src/live/build/remark-spec.ts';
import { traceAssets } from './src/live/build/trace-assets.ts';
import { blockTypes } from './src/live/build/vite-block-types.ts';

/**
 * The sidebar: every chapter of content/ (not `_*` files, not the landing page), by frontmatter
 * `sidebar.order` then path. Starlight's `autogenerate` only sees src/content/docs, so the list is
 * made here; adding a chapter is still just adding its MDX file.
 */
function chapters(dir = 'content', prefix = '') {
  const out = [];
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) out.push(...chapters(path, `${prefix}${f}/`));
    else if (/^[^_].*\.mdx?$/.test(f) && !(prefix === '' && /^index\./.test(f))) {
      const order = /^sidebar:\s*\n(?:\s+.*\n)*?\s+order:\s*(-?\d+(?:\.\d+)?)/m.exec(
        readFileSync(path, 'utf8'),
      );
      out.push({ slug: prefix + f.replace(/\.mdx?$/, ''), order: order ? Number(order[1]) : 1000 });
    }
  }
  return out;
}
const sidebar = chapters()
  .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug))
  .map(({ slug }) => ({ slug }));

export default defineConfig({
  site: 'https://mmspec.invalid',
  markdown: { processor: unified({ remarkPlugins: [remarkSpecBlocks] }) },
  // Every page carries a CSP <meta> (cspMeta, last integration); `npm start` and `npm run dev`
  // also send it as a header, with frame-ancestors (src/live/build/csp.ts).
  server: { headers: SECURITY_HEADERS },
  // No link prefetching (Starlight turns it on): 1.1 KiB gz of script on every page, and a hovered
  // chapter link would fetch a whole chapter before the reader asks for it.
  prefetch: false,
  integrations: [
    starlight({
      title: 'mmspec',
      description: 'The executable rulebook of Linux memory management.',
      markdown: { processedDirs: ['./content/'] },
      expressiveCode: {
        plugins: [pluginCollapsibleSections()],
        defaultProps: { collapseStyle: 'collapsible-start' },
        // No chapter marks lines ({1-3}, ins=, del=): the text-markers plugin's CSS is not sent.
        textMarkers: false,
      },
      sidebar: [{ label: 'Chapters', items: sidebar }],
      // The light theme without JavaScript, tables that fit (src/components/site.css).
      customCss: ['./src/components/site.css'],
      // Starlight's Search; Pagefind's UI loads when search is opened: see the component's header.
      components: { Search: './src/components/Search.astro' },
      lastUpdated: false,
      pagination: true,
    }),
    // The counterexample pictures the remark plugin drew at build: dist/_traces/*.svg.
    traceAssets(),
    // Lighter code tokens, one shared stylesheet (src/live/build/code-tokens.ts); before cspMeta.
    codeTokens(),
    // Unused CSS out of every stylesheet a page links first (src/live/build/purge-css.ts).
    purgeCss(),
    // Last: the trace table pages written above get their policy too.
    cspMeta(),
  ],
  vite: {
    plugins: [blockTypes()],
    // Pagefind's UI and stylesheet load with the search dialog (src/components/Search.astro).
    resolve: {
      alias: [
        {
          find: /^@pagefind\/default-ui$/,
          replacement: fileURLToPath(new URL('./src/components/pagefind-lazy.ts', import.meta.url)),
        },
        {
          find: /^@pagefind\/default-ui\/css\/ui\.css$/,
          replacement: fileURLToPath(new URL('./src/components/pagefind-ui-empty.css', import.meta.url)),
        },
      ],
    },
    // Workers are bundled separately: the type worker needs the block files too.
    worker: { format: 'es', plugins: () => [blockTypes()] },
  },
});
