/**
 * The rule boxes and the rules index (src/components/rules-data.ts) link to blocks by name and say
 * what each breaks block violates: both must match the chapters and the simulator's rule
 * scenarios, or a box points nowhere or names the wrong harm.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULES as BOXES } from '../../src/components/rules-data.ts';
import { extractBlocks } from '../../src/live/shared/extract.ts';
import { RULES } from '../../src/sim/rules.ts';

const CONTENT = new URL('../../content/', import.meta.url).pathname;
const names = new Set(
  readdirSync(CONTENT)
    .filter((f) => f.endsWith('.mdx'))
    .flatMap((f) => extractBlocks(readFileSync(join(CONTENT, f), 'utf8'), `content/${f}`).map((b) => b.name)),
);

describe('rule boxes', () => {
  test.each(BOXES.map((r) => [r.id, r] as const))('%s links to blocks that exist', (_, r) => {
    for (const n of [r.holds, r.breaks]) if (n !== null) expect(names, `block "${n}"`).toContain(n);
  });

  test.each(BOXES.map((r) => [r.id, r] as const))("%s names its scenario's harm", (id, r) => {
    const scenario = RULES.find((s) => s.id === id);
    expect(scenario, `no rule scenario ${id} in src/sim/rules.ts`).toBeDefined();
    expect(r.invariant).toBe(scenario?.harm);
  });
});
