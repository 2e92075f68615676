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
    // A guard against a hang, not a speed check: `npm test` runs vitest beside the browser pass on
    // 2 cores, where the slowest file (17 s alone) takes 35-45 s, and once took 72 s.
    testTimeout: 180_000,
    pool: 'threads',
    // One worker reuses its module graph across files (issue 12): 71 CPU-s instead of 91 on this
    // machine, all 823 tests passing. Tests must leave no global state behind (the explorer's
    // determinism guard restores its stubs; runBlock restores them after a terminated block).
    isolate: false,
  },
});
