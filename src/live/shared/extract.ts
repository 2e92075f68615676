/**
 * The one extractor of ```ts spec name="…"``` blocks. Three consumers read blocks through it and
 * nothing else: the page (remark plugin → <SpecBlock>), vitest (spec-tests/blocks/mdx-plugin.ts)
 * and the block type-check (scripts/check-blocks.ts), so they cannot disagree on what a block is,
 * where it starts, or what it is called.
 *
 * Block contract (README "The site"):
 * - fence info `ts spec name="…"`; optional `timeout=ms` (default DEFAULT_TIMEOUT_MS) and
 *   `variants="today, today+delayed_anon_rmap"` (the kernel-era toggle: era[+mutation…], comma
 *   separated, checked against src/sim/variants.ts when the site is built);
 * - a line ending in `// @hide` is setup: it runs everywhere, and is folded in the page;
 * - imports only from `mmspec` and `mmspec/explorer`; `expect` is vitest's, as a global.
 * A malformed block is an error naming its MDX file:line (BlockError), never a silent skip.
 */
import type { Code, Root } from 'mdast';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 600_000;
const HIDE = /\/\/\s*@hide\s*$/;
const KNOWN_META = new Set(['name', 'timeout', 'variants']);
const VARIANT = /^[\w-]+(\+[\w-]+)*$/;

export interface SpecBlock {
  /** Repo-relative path with forward slashes, e.g. `content/explorer.mdx`. */
  file: string;
  /** 0-based position among the file's spec blocks. */
  index: number;
  name: string;
  /** Slug of the name: the anchor `#spec-<id>`, the draft key, unique in the file. */
  id: string;
  /** The block's text as the reader sees it (fence indentation removed). */
  code: string;
  /** 1-based MDX line of the opening fence. */
  line: number;
  /** 1-based MDX line of the block's first code line. */
  codeLine: number;
  /** Offsets in the MDX source of the raw code region (indentation included), end exclusive. */
  codeStart: number;
  codeEnd: number;
  /** Columns of fence indentation removed from each code line. */
  indent: number;
  timeoutMs: number;
  /** 1-based block lines marked `// @hide`. */
  hidden: number[];
  /** Kernel variants the page offers to rerun the block under (`era[+mutation…]`); may be empty. */
  variants: string[];
}

export class BlockError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'BlockError';
  }
}

/** YAML frontmatter blanked to spaces (newlines kept), so positions stay those of the file. */
function blankFrontmatter(source: string): string {
  const m = /^---\r?\n[\s\S]*?\r?\n---[ \t]*(?=\r?\n|$)/.exec(source);
  return m ? m[0].replace(/[^\n]/g, ' ') + source.slice(m[0].length) : source;
}

export function parseMdx(source: string, file = '<mdx>'): Root {
  try {
    return unified().use(remarkParse).use(remarkMdx).parse(blankFrontmatter(source)) as Root;
  } catch (e) {
    const err = e as { line?: number; column?: number; reason?: string; message: string };
    throw new BlockError(
      file,
      err.line ?? 1,
      err.column ?? 1,
      `MDX does not parse: ${err.reason ?? err.message}`,
    );
  }
}

/** A fence is a spec block when its language is `ts` and its meta starts with the word `spec`. */
export function isSpecFence(node: { type: string; lang?: string | null; meta?: string | null }): boolean {
  return node.type === 'code' && node.lang === 'ts' && /^spec(\s|$)/.test(node.meta ?? '');
}

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'block'
  );
}

/** `spec name="lost update" timeout=2000` → { spec: true, name: 'lost update', timeout: '2000' }. */
export function parseMeta(meta: string): Record<string, string | true> | string {
  const out: Record<string, string | true> = {};
  const re = /\s*([A-Za-z][\w-]*)(?:=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+)))?/y;
  let i = 0;
  while (i < meta.length) {
    if (/^\s*$/.test(meta.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(meta);
    if (!m) return `cannot read the fence meta at "${meta.slice(i).trim()}"`;
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? m[4]);
    out[m[1]] = value ?? true;
    i = re.lastIndex;
  }
  return out;
}

/** Blocks of an already-parsed tree (the remark plugin's tree, or parseMdx's). */
export function blocksFromTree(tree: Root, source: string, file: string): SpecBlock[] {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const blocks: SpecBlock[] = [];
  const ids = new Map<string, number>();
  visit(tree, 'code', (node: Code) => {
    if (!isSpecFence(node)) return;
    const pos = node.position;
    if (!pos) throw new BlockError(file, 1, 1, 'spec block without a source position');
    const line = pos.start.line;
    const fail = (reason: string, l = line, c = pos.start.column): never => {
      throw new BlockError(file, l, c, reason);
    };
    const meta = parseMeta(node.meta ?? '');
    if (typeof meta === 'string') fail(meta);
    const m = meta as Record<string, string | true>;
    for (const k of Object.keys(m))
      if (k !== 'spec' && !KNOWN_META.has(k))
        fail(`unknown meta "${k}" (a spec block takes name="…", timeout=ms and variants="…")`);
    if (typeof m.name !== 'string' || m.name.trim() === '') fail('a spec block needs name="…"');
    const name = (m.name as string).trim();
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    if (m.timeout !== undefined) {
      timeoutMs = Number(m.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)
        fail(`timeout must be an integer number of ms in 1..${MAX_TIMEOUT_MS}, got "${m.timeout}"`);
    }
    let variants: string[] = [];
    if (m.variants !== undefined) {
      if (typeof m.variants !== 'string') fail('variants="…" needs a value');
      variants = (m.variants as string)
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      const bad = variants.find((v) => !VARIANT.test(v));
      if (bad !== undefined || variants.length < 2)
        fail(
          `variants="…" lists two or more era[+mutation…], comma separated; cannot use "${bad ?? m.variants}"`,
        );
    }
    const id = slug(name);
    const prev = ids.get(id);
    if (prev !== undefined) fail(`two spec blocks named "${id}" (the other is at line ${prev})`);
    ids.set(id, line);
    if (node.value.trim() === '') fail('empty spec block');

    // The raw code region: from the line after the fence to the start of the closing fence (or EOF).
    const indent = pos.start.column - 1;
    const codeLine = line + 1;
    const codeStart = lineStarts[codeLine - 1];
    const valueLines = node.value.split('\n');
    const lastLine = codeLine + valueLines.length - 1;
    const codeEnd = lastLine < lineStarts.length ? lineStarts[lastLine] - 1 : source.length;
    const raw = source.slice(codeStart, codeEnd).replace(/\r$/gm, '').split('\n');
    valueLines.forEach((v, i) => {
      const r = raw[i] ?? '';
      // remark removes up to `indent` columns of indentation from each line; nothing else.
      if (r !== v && !(r.endsWith(v) && r.slice(0, r.length - v.length).trim() === '')) {
        fail('cannot map the block to its source lines (mixed indentation?)', codeLine + i, 1);
      }
    });
    const hidden: number[] = [];
    valueLines.forEach((v, i) => {
      if (HIDE.test(v)) hidden.push(i + 1);
    });
    blocks.push({
      file,
      index: blocks.length,
      name,
      id,
      code: node.value,
      line,
      codeLine,
      codeStart,
      codeEnd,
      indent,
      timeoutMs,
      hidden,
      variants,
    });
  });
  return blocks;
}

export function extractBlocks(source: string, file: string): SpecBlock[] {
  return blocksFromTree(parseMdx(source, file), source, file);
}

/** The MDX line and column of a 1-based line/column inside a block. */
export function mdxPosition(block: SpecBlock, line: number, column = 1): { line: number; column: number } {
  return { line: block.codeLine + line - 1, column: column + block.indent };
}
