/**
 * Remark plugin (Astro's unified processor; MDX inherits it): wraps every spec fence in
 * <SpecBlock>, keeping the fence itself as the child so Expressive Code highlights it at build.
 * Blocks come from the shared extractor run on the file's own source, so the page's line numbers
 * and names are the ones vitest and the type-check report.
 *
 * The chapters' blocks (content/, the ones vitest runs) are also run once here
 * (build-traces.ts): every counterexample they find is drawn into the page as a static SVG with a
 * table (static-trace.ts), and the variants their scenarios use are recorded for the kernel-era
 * toggle. A block that throws fails the build at its MDX line. Other MDX pages (the browser pass's
 * fixtures, which include a runaway loop) are not run.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Code, Root, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import { codeHash } from '../shared/code-hash.ts';
import { blocksFromTree, extractBlocks, isSpecFence, type SpecBlock } from '../shared/extract.ts';
import { type BlockRun, runBlockAtBuild } from './build-traces.ts';
import { staticTraces } from './static-trace.ts';

const COMPONENT = fileURLToPath(new URL('../../components/SpecBlock.astro', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOCAL = '__SpecBlock';

interface VFileLike {
  path?: string;
  value?: unknown;
}

function attr(name: string, value: string | number) {
  return { type: 'mdxJsxAttribute', name, value: String(value) };
}

/** Expressive Code's collapsible sections take `collapse={2-4, 7}`. */
function ranges(lines: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/**
 * The kernel-era toggle's variants: the block's `variants="…"`, or else, for a block whose one
 * scenario switches mutations on, that variant against the same era without them.
 */
export function toggle(b: SpecBlock, run: BlockRun | null): string[] {
  if (b.variants.length) return b.variants;
  const own = run?.variants ?? [];
  return own.length === 1 && own[0].includes('+') ? [own[0], own[0].split('+')[0]] : [];
}

export default function remarkSpecBlocks() {
  return async (tree: Root, file: VFileLike) => {
    const specs: Code[] = [];
    visit(tree, 'code', (node: Code) => {
      if (isSpecFence(node)) specs.push(node);
    });
    if (specs.length === 0) return;
    const path = file.path ?? '<mdx>';
    const rel = relative(ROOT, path).replaceAll('\\', '/');
    // Positions must be the file's: extract from the source on disk (frontmatter included).
    let blocks: SpecBlock[];
    try {
      blocks = extractBlocks(readFileSync(path, 'utf8'), rel);
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'ENOENT')
        blocks = blocksFromTree(tree, String(file.value ?? ''), rel);
      else throw e;
    }
    if (blocks.length !== specs.length || blocks.some((b, i) => b.code !== specs[i].value))
      throw new Error(`${rel}: the page's spec fences differ from the extractor's (${blocks.length} blocks)`);

    const runs: (BlockRun | null)[] = [];
    for (const b of blocks) runs.push(rel.startsWith('content/') ? await runBlockAtBuild(b) : null);

    specs.forEach((node, i) => {
      const b = blocks[i];
      const run = runs[i];
      const fence: Code = {
        type: 'code',
        lang: 'ts',
        meta: b.hidden.length ? `collapse={${ranges(b.hidden)}}` : '',
        value: b.code,
      };
      const element = {
        type: 'mdxJsxFlowElement',
        name: LOCAL,
        attributes: [
          attr('id', b.id),
          attr('name', b.name),
          attr('file', b.file),
          attr('line', b.line),
          attr('codeLine', b.codeLine),
          attr('timeout', b.timeoutMs),
          attr('hidden', b.hidden.join(',')),
          attr('codeHash', codeHash(b.code)),
          attr('variants', toggle(b, run).join(',')),
          attr('trace', run ? staticTraces(run.traces) : ''),
        ],
        children: [fence],
      };
      Object.assign(node, element);
      for (const k of ['lang', 'meta', 'value'] as const) delete (node as Partial<Code>)[k];
    });

    const esm = {
      type: 'mdxjsEsm',
      value: '',
      data: {
        estree: {
          type: 'Program',
          sourceType: 'module',
          body: [
            {
              type: 'ImportDeclaration',
              specifiers: [{ type: 'ImportDefaultSpecifier', local: { type: 'Identifier', name: LOCAL } }],
              source: { type: 'Literal', value: COMPONENT, raw: JSON.stringify(COMPONENT) },
            },
          ],
        },
      },
    };
    tree.children.unshift(esm as unknown as RootContent);
  };
}
