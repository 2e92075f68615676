/**
 * The block type-check (`npm run check:blocks`, part of `npm test`): every spec block of
 * content/**\/*.mdx, checked by TypeScript 6 against the real sources of mmspec and
 * mmspec/explorer (src/live/shared/block-program.ts). Reports `content/<file>.mdx:LINE:COL error TSxxxx:
 * message` with the MDX line, and exits non-zero on any error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  blockCompilerOptions,
  blockDiagnostics,
  blockFileName,
  blockModule,
  PRELUDE,
  PRELUDE_NAME,
  virtualProgram,
} from '../../src/live/shared/block-program.ts';
import { BlockError, extractBlocks, mdxPosition, type SpecBlock } from '../../src/live/shared/extract.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function chapters(dir = join(ROOT, 'content')): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...chapters(p));
    else if (f.endsWith('.mdx')) out.push(relative(ROOT, p).replaceAll('\\', '/'));
  }
  return out;
}

function main(): number {
  const t0 = performance.now();
  const problems: string[] = [];
  const blocks: SpecBlock[] = [];
  for (const file of chapters()) {
    try {
      blocks.push(...extractBlocks(readFileSync(join(ROOT, file), 'utf8'), file));
    } catch (e) {
      if (e instanceof BlockError) problems.push(`${e.file}:${e.line}:${e.column} error: ${e.reason}`);
      else throw e;
    }
  }
  const virtual = new Map<string, string>([[join(ROOT, PRELUDE_NAME), PRELUDE]]);
  const names = new Map<string, SpecBlock>();
  for (const b of blocks) {
    const name = blockFileName(ROOT, b.file, b.index);
    virtual.set(name, blockModule(b.code));
    names.set(name, b);
  }
  const options = blockCompilerOptions(ts, ROOT);
  const program = virtualProgram(ts, options, virtual);
  for (const d of program.getOptionsDiagnostics())
    problems.push(`tsconfig error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);

  for (const [name, b] of names) {
    const lines = b.code.split('\n');
    for (const d of blockDiagnostics(ts, program, name)) {
      if (d.category !== 'error') continue;
      const at = mdxPosition(b, d.line, d.column);
      const src = lines[d.line - 1] ?? '';
      problems.push(
        `${b.file}:${at.line}:${at.column} error TS${d.code}: ${d.message}\n` +
          `  ${String(at.line).padStart(4)} | ${src}\n` +
          `       | ${' '.repeat(Math.max(0, d.column - 1))}^  (block "${b.name}")`,
      );
    }
  }
  const ms = Math.round(performance.now() - t0);
  if (problems.length) {
    console.error(problems.join('\n'));
    console.error(`block type-check: ${problems.length} error(s) in ${blocks.length} blocks (${ms} ms)`);
    return 1;
  }
  console.log(
    `block type-check: ${blocks.length} blocks in ${chapters().length} chapters, no errors (${ms} ms)`,
  );
  return 0;
}

process.exit(main());
