/**
 * Import rewriting shared by the page's runner and vitest: a block is a module body, but it runs
 * inside a function (vitest's `test(…)`, the worker's module), so each static import becomes a
 * destructuring of a dynamic import on the same lines. Line count and the position of every other
 * character are kept, so errors point at the block's own lines.
 */

export const BLOCK_MODULES = ['mmspec', 'mmspec/explorer'] as const;
export type BlockModule = (typeof BLOCK_MODULES)[number];

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export class ImportError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

const IMPORT = /^([ \t]*)import\b([\s\S]*?)\bfrom\s*(['"])([^'"\n]+)\3[ \t]*;?/gm;
const BARE_IMPORT = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm;
const EXPORT = /^[ \t]*export\b/gm;

/** Keep the newlines of `s`, so the replacement spans the same lines. */
function newlines(s: string): string {
  return s.replace(/[^\n]/g, '');
}

/**
 * Edits that turn the imports of `code` into `const {…} = await <loader>('…');`, or without the
 * `await` (`sync`) where the loader returns the module itself (vitest and the build, which run a
 * block as a synchronous function under its timeout: run-block.ts).
 */
export function importEdits(code: string, loader: string, opts: { sync?: boolean } = {}): Edit[] {
  const edits: Edit[] = [];
  for (const m of code.matchAll(BARE_IMPORT))
    throw new ImportError(m.index, `side-effect import "${m[2]}" is not supported in a spec block`);
  for (const m of code.matchAll(EXPORT))
    throw new ImportError(m.index, 'a spec block is not a module: remove `export`');
  for (const m of code.matchAll(IMPORT)) {
    const [all, lead, clauseRaw, , spec] = m;
    const start = m.index + lead.length;
    const end = m.index + all.length;
    if (!(BLOCK_MODULES as readonly string[]).includes(spec))
      throw new ImportError(
        start,
        `a spec block can import only ${BLOCK_MODULES.join(' and ')}, not "${spec}"`,
      );
    let clause = clauseRaw.trim();
    const nl = newlines(all);
    if (/^type\b/.test(clause)) {
      edits.push({ start, end, text: nl });
      continue;
    }
    const parts: string[] = [];
    let ns: string | null = null;
    const star = /^\*\s*as\s+([\w$]+)$/.exec(clause);
    if (star) ns = star[1];
    else {
      const def = /^([\w$]+)\s*(?:,\s*|$)/.exec(clause);
      if (def) {
        parts.push(`default: ${def[1]}`);
        clause = clause.slice(def[0].length).trim();
      }
      if (clause) {
        const braces = /^\{([\s\S]*)\}$/.exec(clause);
        if (!braces) throw new ImportError(start, `cannot read this import: ${all.trim()}`);
        for (const raw of braces[1].split(',')) {
          const s = raw.trim();
          if (!s || /^type\s/.test(s)) continue;
          const as = /^([\w$]+)\s+as\s+([\w$]+)$/.exec(s);
          if (as) parts.push(`${as[1]}: ${as[2]}`);
          else if (/^[\w$]+$/.test(s)) parts.push(s);
          else throw new ImportError(start, `cannot read the import specifier "${s}"`);
        }
      }
    }
    const target = ns ?? `{ ${parts.join(', ')} }`;
    const text = `const ${target} = ${opts.sync ? '' : 'await '}${loader}(${JSON.stringify(spec)});`;
    // Keep the statement's line count: put its newlines after the replacement.
    edits.push({ start, end, text: text + nl });
  }
  return edits;
}

export function applyEdits(code: string, edits: Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + code.slice(at);
}

/** 1-based line and column of an offset. */
export function lineCol(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
