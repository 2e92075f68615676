/// <reference types="astro/client" />
// Chapters live in the top-level content/ (not src/content/docs): Astro's glob() loader reads them,
// and Starlight processes the folder because astro.config.mjs lists it in markdown.processedDirs.
// Files starting with `_` (the chapter template) are not pages.

import { defineCollection } from 'astro:content';
import { docsSchema } from '@astrojs/starlight/schema';
import { glob } from 'astro/loaders';

export const collections = {
  docs: defineCollection({
    loader: glob({ pattern: '**/[^_]*.{md,mdx}', base: './content' }),
    schema: docsSchema(),
  }),
};
