import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { mdxSpecBlocks } from './spec-tests/blocks/mdx-plugin.ts';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  plugins: [mdxSpecBlocks()],
  resolve: {
    // Blocks import the package by name, exactly as a reader would (package.json "exports").
    alias: [
      { find: /^mmspec\/explorer$/, replacement: src('explorer/index.ts') },
      { find: /^mmspec$/, replacement: src('sim/index.ts') },
    ],
  },
  test: {
    // Unit/property tests, and every chapter: each spec block of content/**/*.mdx is a test.
    include: ['spec-tests/**/*.test.ts', 'content/**/*.mdx'],
    testTimeout: 60_000,
    pool: 'threads',
  },
});
