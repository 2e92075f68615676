import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runBlockAtBuild } from '../../src/live/build/build-traces.ts';
import { extractBlocks, isSpecFence, parseMdx } from '../../src/live/shared/extract.ts';

/**
 * Prose that cannot drift from its counterexample. A chapter walks a counterexample through as an
 * ordered list right after the spec block that prints it, each step an item that starts with the
 * thread in bold and the step's label in code:
 *
 *     1. **exit** `put_anon_vma: atomic_dec_and_test(&anon_vma->refcount)` drops the last …
 *     2. **reclaim** `rmap_walk_anon: anon_vma_interval_tree_foreach()` walks …
 *
 * For every such list, the block is run (as at build time) and one of its counterexamples must
 * contain those (thread, label) steps in that order; items without the bold-then-code shape are
 * commentary and are not checked.
 */
interface Walk {
  block: number;
  line: number;
  steps: Array<{ thread: string; label: string; line: number }>;
}

type Node = {
  type: string;
  lang?: string | null;
  meta?: string | null;
  ordered?: boolean | null;
  value?: string;
  children?: Node[];
  position?: { start: { line: number } };
};

function walkthroughs(source: string, file: string): Walk[] {
  const tree = parseMdx(source, file) as unknown as Node;
  const out: Walk[] = [];
  let block = -1;
  let open = false; // a spec block precedes, with no heading or other block since
  for (const n of tree.children ?? []) {
    if (n.type === 'code' && isSpecFence(n as { type: string; lang?: string | null; meta?: string | null })) {
      block++;
      open = true;
      continue;
    }
    if (n.type === 'heading' || n.type === 'code') open = false;
    if (!open || n.type !== 'list' || !n.ordered) continue;
    const steps: Walk['steps'] = [];
    for (const item of n.children ?? []) {
      const para = item.children?.[0];
      const [first, second] = (para?.children ?? []).filter(
        (c) => !(c.type === 'text' && c.value?.trim() === ''),
      );
      const thread = first?.type === 'strong' ? first.children?.[0]?.value : undefined;
      if (thread === undefined || second?.type !== 'inlineCode' || second.value === undefined) continue;
      steps.push({ thread, label: second.value, line: item.position?.start.line ?? 0 });
    }
    if (steps.length > 0) out.push({ block, line: n.position?.start.line ?? 0, steps });
    open = false;
  }
  return out;
}

const dir = join(import.meta.dirname, '../../content');
const files = readdirSync(dir).filter((f) => f.endsWith('.mdx'));
const cases = files.flatMap((f) => {
  const source = readFileSync(join(dir, f), 'utf8');
  const blocks = extractBlocks(source, `content/${f}`);
  return walkthroughs(source, `content/${f}`).map(
    (w) => [`content/${f}:${w.line}`, blocks[w.block], w] as const,
  );
});

describe('counterexample walkthroughs match their printed schedules', () => {
  test('the chapters have walkthroughs to check', () => {
    expect(cases.length).toBeGreaterThan(15);
  });

  test.each(cases)('%s', async (_where, block, walk) => {
    const run = await runBlockAtBuild(block);
    const found = run.traces.map((tr) => {
      const steps = tr.counterexample.steps;
      let i = 0;
      let matched = 0;
      for (const want of walk.steps) {
        while (i < steps.length && !(steps[i].thread === want.thread && steps[i].label === want.label)) i++;
        if (i === steps.length) break;
        matched++;
        i++;
      }
      return { model: tr.model, matched };
    });
    const best = found.reduce((a, b) => (b.matched > a.matched ? b : a), { model: '(none)', matched: 0 });
    const missing = walk.steps[best.matched];
    expect(
      best.matched,
      missing
        ? `line ${missing.line}: **${missing.thread}** \`${missing.label}\` is not the next step of any counterexample of "${block.name}" (best: ${best.model})`
        : '',
    ).toBe(walk.steps.length);
  });
});
