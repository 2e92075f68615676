// The site: Astro + Starlight, chapters in the top-level content/ (src/content.config.ts).
// Spec fences become <SpecBlock> islands through the shared extractor (src/live/remark-spec.ts).
import { unified } from '@astrojs/markdown-remark';
import starlight from '@astrojs/starlight';
import { pluginCollapsibleSections } from '@expressive-code/plugin-collapsible-sections';
import { defineConfig } from 'astro/config';
import remarkSpecBlocks from './src/live/remark-spec.ts';
import { blockTypes } from './src/live/vite-block-types.ts';

export default defineConfig({
  site: 'https://mmspec.invalid',
  markdown: { processor: unified({ remarkPlugins: [remarkSpecBlocks] }) },
  integrations: [
    starlight({
      title: 'mmspec',
      description: 'The executable rulebook of Linux memory management.',
      markdown: { processedDirs: ['./content/'] },
      expressiveCode: {
        plugins: [pluginCollapsibleSections()],
        defaultProps: { collapseStyle: 'collapsible-start' },
      },
      sidebar: [{ label: 'Chapters', items: [{ autogenerate: { directory: '.' } }] }],
      // Pagefind's UI loads when search is opened (not on idle): see the component's header.
      components: { Search: './src/components/Search.astro' },
      lastUpdated: false,
      pagination: true,
    }),
  ],
  vite: {
    plugins: [blockTypes()],
    // Workers are bundled separately: the type worker needs the block files too.
    worker: { format: 'es', plugins: () => [blockTypes()] },
  },
});
