import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec-tests/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'threads',
  },
});
