/**
 * Vite plugin: every `content/**\/*.mdx` is a vitest file, one test per spec block, named
 * `<chapter>:<line> <name>`. MagicString edits the MDX in place (prose removed, each block wrapped in
 * `test(…)` as a synchronous function run by `runBlock` with its timeout, imports turned into
 * destructurings of namespaces imported at the top, on the same lines) and the source map goes
 * back to the MDX, so a failing assertion prints `content/<file>.mdx:<line>:<col>` with an MDX code
 * frame. Blocks come from the shared extractor (src/live/shared/extract.ts); nothing is generated on disk.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import MagicString from 'magic-string';
import { type Plugin, transformWithOxc } from 'vite';
import { BlockError, extractBlocks } from '../../src/live/shared/extract.ts';
import { ImportError, importEdits, lineCol } from '../../src/live/shared/imports.ts';

// oxc colours its messages; the reason is plain text. (RegExp from a string: no control char literal.)
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const ROOT = new URL('../../', import.meta.url).pathname;
const RUN_BLOCK = fileURLToPath(new URL('../../src/live/build/run-block.ts', import.meta.url));
/** What a block's imports become: `const { explore } = __mmspecImport("mmspec/explorer");`. */
const LOADER = '__mmspecImport';

/** `root` is the project whose `content/` holds the chapters (another one for fixtures). */
export function isChapter(id: string, root = ROOT): boolean {
  return /\.mdx$/.test(id) && relative(root, id).replaceAll('\\', '/').startsWith('content/');
}

/**
 * A block that does not parse fails at its own MDX line (not at a line of the generated module):
 * each block is parsed alone, wrapped the way it will run.
 */
async function checkSyntax(rel: string, codeLine: number, code: string): Promise<void> {
  try {
    await transformWithOxc(`(() => {\n${code}\n})`, 'block.ts', { lang: 'ts' });
  } catch (e) {
    const first = (e as { errors?: { message: string; loc?: { line: number; column: number } }[] })
      .errors?.[0];
    if (!first?.loc) throw e;
    const reason = first.message
      .replace(ANSI, '')
      .split('\n')[0]
      .replace(/^\[\w+\]\s*/, '');
    const line = codeLine + first.loc.line - 2;
    if (reason.includes('`await`'))
      throw new BlockError(
        rel,
        line,
        first.loc.column + 1,
        '`await` is not supported in a spec block: vitest runs a block synchronously, so that one that never returns can be stopped at its timeout',
      );
    throw new BlockError(rel, line, first.loc.column + 1, `syntax error: ${reason}`);
  }
}

/** MDX → a test module (still TypeScript) with a hires source map into the MDX. */
export async function mdxToTests(
  source: string,
  id: string,
  root = ROOT,
): Promise<{ code: string; map: ReturnType<MagicString['generateMap']> }> {
  const rel = relative(root, id).replaceAll('\\', '/');
  const chapter = rel.replace(/^content\//, '');
  const blocks = extractBlocks(source, rel);
  const ms = new MagicString(source);
  let at = 0;
  for (const b of blocks) {
    if (b.codeStart > at) ms.remove(at, b.codeStart);
    let edits: ReturnType<typeof importEdits>;
    const raw = source.slice(b.codeStart, b.codeEnd);
    try {
      // The page's rewriting, minus `await`: the namespaces are imported at the top of the module.
      edits = importEdits(raw, LOADER, { sync: true });
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      const p = lineCol(raw, e.offset);
      throw new BlockError(rel, b.codeLine + p.line - 1, p.column, e.message);
    }
    for (const e of edits) ms.overwrite(b.codeStart + e.start, b.codeStart + e.end, e.text);
    await checkSyntax(rel, b.codeLine, ms.slice(b.codeStart, b.codeEnd));
    const title = JSON.stringify(`${chapter}:${b.line} ${b.name}`);
    const where = JSON.stringify(`${rel}:${b.line}`);
    ms.prependRight(b.codeStart, `test(${title}, () => __mmspecRun(${where}, ${b.timeoutMs}, () => {\n`);
    // vitest's timer cannot interrupt the block; runBlock's timeout does, and fires first.
    ms.appendLeft(b.codeEnd, `\n}), ${b.timeoutMs + 1000});\n`);
    at = b.codeEnd;
  }
  if (at < source.length) ms.remove(at, source.length);
  ms.prepend(
    [
      `import { expect, test } from 'vitest';`,
      `import * as __mmspecSim from 'mmspec';`,
      `import * as __mmspecExplorer from 'mmspec/explorer';`,
      `import { runBlock as __mmspecRun } from ${JSON.stringify(RUN_BLOCK)};`,
      `const __mmspecModules = { mmspec: __mmspecSim, 'mmspec/explorer': __mmspecExplorer };`,
      `const ${LOADER} = (name: keyof typeof __mmspecModules) => __mmspecModules[name];\n`,
    ].join('\n'),
  );
  if (blocks.length === 0) {
    // A chapter without blocks still has to parse as MDX (extractBlocks above); say so as a test.
    ms.append(`\ntest(${JSON.stringify(`${chapter}: parses as MDX (no spec blocks)`)}, () => {});\n`);
  }
  return { code: ms.toString(), map: ms.generateMap({ hires: true, source: id, includeContent: true }) };
}

export function mdxSpecBlocks(opts: { root?: string } = {}): Plugin[] {
  const root = opts.root ?? ROOT;
  return [
    {
      name: 'mmspec:mdx-spec-blocks',
      enforce: 'pre',
      async transform(source, id) {
        if (!isChapter(id, root)) return null;
        try {
          return await mdxToTests(source, id, root);
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
        if (!isChapter(id, root)) return null;
        return transformWithOxc(code, `${id}.ts`, { lang: 'ts' });
      },
    },
  ];
}
