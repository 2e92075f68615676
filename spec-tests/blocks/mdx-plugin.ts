/**
 * Vite plugin: every `content/**\/*.mdx` is a vitest file, one test per spec block, named
 * `<chapter>:<line> <name>`. MagicString edits the MDX in place (prose removed, each block wrapped in
 * `test(…)`, imports made dynamic on the same lines) and the source map goes back to the MDX, so
 * a failing assertion prints `content/<file>.mdx:<line>:<col>` with an MDX code frame. Blocks come
 * from the shared extractor (src/live/extract.ts); nothing is generated on disk.
 */
import { relative } from 'node:path';
import MagicString from 'magic-string';
import { type Plugin, transformWithOxc } from 'vite';
import { BlockError, extractBlocks } from '../../src/live/extract.ts';
import { ImportError, importEdits, lineCol } from '../../src/live/imports.ts';

// oxc colours its messages; the reason is plain text. (RegExp from a string: no control char literal.)
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const ROOT = new URL('../../', import.meta.url).pathname;

export function isChapter(id: string): boolean {
  return /\.mdx$/.test(id) && relative(ROOT, id).replaceAll('\\', '/').startsWith('content/');
}

/** MDX → a test module (still TypeScript) with a hires source map into the MDX. */
/**
 * A block that does not parse fails at its own MDX line (not at a line of the generated module):
 * each block is parsed alone, wrapped the way it will run.
 */
async function checkSyntax(rel: string, codeLine: number, code: string): Promise<void> {
  try {
    await transformWithOxc(`(async () => {\n${code}\n})`, 'block.ts', { lang: 'ts' });
  } catch (e) {
    const first = (e as { errors?: { message: string; loc?: { line: number; column: number } }[] })
      .errors?.[0];
    if (!first?.loc) throw e;
    const reason = first.message
      .replace(ANSI, '')
      .split('\n')[0]
      .replace(/^\[\w+\]\s*/, '');
    throw new BlockError(rel, codeLine + first.loc.line - 2, first.loc.column + 1, `syntax error: ${reason}`);
  }
}

export async function mdxToTests(
  source: string,
  id: string,
): Promise<{ code: string; map: ReturnType<MagicString['generateMap']> }> {
  const rel = relative(ROOT, id).replaceAll('\\', '/');
  const chapter = rel.replace(/^content\//, '');
  const blocks = extractBlocks(source, rel);
  const ms = new MagicString(source);
  let at = 0;
  for (const b of blocks) {
    if (b.codeStart > at) ms.remove(at, b.codeStart);
    let edits: ReturnType<typeof importEdits>;
    const raw = source.slice(b.codeStart, b.codeEnd);
    try {
      edits = importEdits(raw, 'import');
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      const p = lineCol(raw, e.offset);
      throw new BlockError(rel, b.codeLine + p.line - 1, p.column, e.message);
    }
    for (const e of edits) ms.overwrite(b.codeStart + e.start, b.codeStart + e.end, e.text);
    await checkSyntax(rel, b.codeLine, ms.slice(b.codeStart, b.codeEnd));
    const title = JSON.stringify(`${chapter}:${b.line} ${b.name}`);
    ms.prependRight(b.codeStart, `test(${title}, async () => {\n`);
    ms.appendLeft(b.codeEnd, `\n}, ${b.timeoutMs});\n`);
    at = b.codeEnd;
  }
  if (at < source.length) ms.remove(at, source.length);
  ms.prepend(`import { expect, test } from 'vitest';\n`);
  if (blocks.length === 0) {
    // A chapter without blocks still has to parse as MDX (extractBlocks above); say so as a test.
    ms.append(`\ntest(${JSON.stringify(`${chapter}: parses as MDX (no spec blocks)`)}, () => {});\n`);
  }
  return { code: ms.toString(), map: ms.generateMap({ hires: true, source: id, includeContent: true }) };
}

export function mdxSpecBlocks(): Plugin[] {
  return [
    {
      name: 'mmspec:mdx-spec-blocks',
      enforce: 'pre',
      async transform(source, id) {
        if (!isChapter(id)) return null;
        try {
          return await mdxToTests(source, id);
        } catch (e) {
          if (e instanceof BlockError) {
            // Vite prints this with the file:line it names.
            this.error({ message: e.message, id, loc: { line: e.line, column: e.column - 1 } });
          }
          throw e;
        }
      },
    },
    {
      // Strip the blocks' types; Vite chains this map onto the one above.
      name: 'mmspec:mdx-spec-types',
      transform(code, id) {
        if (!isChapter(id)) return null;
        return transformWithOxc(code, `${id}.ts`, { lang: 'ts' });
      },
    },
  ];
}
