/**
 * src/live is split by where code runs (README, Layout): build/ (Node), page/ (the page's main
 * thread), worker/ (Web Workers) each import shared/ and never one another; shared/ imports none
 * of them. A page that imported build code would drag Node into the bundle, and the reverse would
 * run browser code at build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const LIVE = new URL('../../src/live/', import.meta.url).pathname;
const PARTS = ['build', 'page', 'worker', 'shared'] as const;
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function importsOf(part: string): { file: string; target: string }[] {
  return readdirSync(join(LIVE, part))
    .filter((f) => /\.ts$/.test(f))
    .flatMap((f) =>
      [...readFileSync(join(LIVE, part, f), 'utf8').matchAll(IMPORT)].map((m) => ({
        file: `${part}/${f}`,
        target: m[1] ?? m[2],
      })),
    );
}

describe('src/live layout', () => {
  test('nothing is left at the top of src/live', () => {
    expect(readdirSync(LIVE).filter((f) => !(PARTS as readonly string[]).includes(f))).toEqual([]);
  });

  test('the import scanner sees imports', () => {
    expect(importsOf('page').some((i) => i.target === '../shared/protocol.ts')).toBe(true);
    expect(importsOf('page').some((i) => i.target === './types.ts')).toBe(true); // a dynamic import
  });

  test.each(PARTS)('%s/ imports only itself, shared/ and code outside src/live', (part) => {
    const allowed = part === 'shared' ? ['./'] : ['./', '../shared/'];
    const bad = importsOf(part).filter(
      (i) => !allowed.some((a) => i.target.startsWith(a)) && !/^\.\.\/\.\.\//.test(i.target),
    );
    expect(bad).toEqual([]);
  });
});
