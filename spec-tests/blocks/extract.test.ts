import { describe, expect, test } from 'vitest';
import { decodeCode, encodeCode } from '../../src/live/page/permalink.ts';
import {
  BlockError,
  DEFAULT_TIMEOUT_MS,
  extractBlocks,
  mdxPosition,
  parseMeta,
} from '../../src/live/shared/extract.ts';
import { applyEdits, ImportError, importEdits } from '../../src/live/shared/imports.ts';
import { mdxToTests } from './mdx-plugin.ts';

const fence = '```';
const chapter = (body: string) =>
  `---\ntitle: T\ndescription: D\n---\n\nimport { Aside } from 'x';\n\n${body}`;

function blockError(f: () => unknown): BlockError {
  try {
    f();
  } catch (e) {
    if (e instanceof BlockError) return e;
    throw e;
  }
  throw new Error('expected a BlockError');
}

describe('extractBlocks', () => {
  test('finds spec fences with exact MDX lines, skipping frontmatter and plain fences', () => {
    const src = chapter(
      `${fence}ts\nconst prose = 1;\n${fence}\n\n${fence}ts spec name="first" timeout=250\nconst a = 1;\nexpect(a).toBe(1);\n${fence}\n`,
    );
    const [b, ...rest] = extractBlocks(src, 'content/c.mdx');
    expect(rest).toHaveLength(0);
    expect(b.name).toBe('first');
    expect(b.id).toBe('first');
    expect(b.timeoutMs).toBe(250);
    expect(b.line).toBe(src.split('\n').indexOf(`${fence}ts spec name="first" timeout=250`) + 1);
    expect(b.codeLine).toBe(b.line + 1);
    expect(src.slice(b.codeStart, b.codeEnd)).toBe(b.code);
    expect(src.split('\n')[b.codeLine]).toBe('expect(a).toBe(1);');
  });

  test('blocks indented inside JSX map back to their columns', () => {
    const src = `<Aside>\n  ${fence}ts spec name="inside"\n  const x = 1;\n  expect(x).toBe(1);\n  ${fence}\n</Aside>\n`;
    const [b] = extractBlocks(src, 'content/j.mdx');
    expect(b.code).toBe('const x = 1;\nexpect(x).toBe(1);');
    expect(b.indent).toBe(2);
    expect(mdxPosition(b, 2, 11)).toEqual({ line: 4, column: 13 });
    expect(src.split('\n')[3].slice(12, 16)).toBe('toBe');
  });

  test('hidden lines, default timeout, slugs', () => {
    const src = `${fence}ts spec name="Hide: Setup!"\nconst a = 1; // @hide\nexpect(a).toBe(1);\n${fence}\n`;
    const [b] = extractBlocks(src, 'content/h.mdx');
    expect(b.hidden).toEqual([1]);
    expect(b.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(b.id).toBe('hide-setup');
  });

  test('malformed blocks fail at their MDX line', () => {
    const at = (body: string) => blockError(() => extractBlocks(`\n\n${body}`, 'content/bad.mdx'));
    expect(at(`${fence}ts spec\nx;\n${fence}\n`)).toMatchObject({
      line: 3,
      reason: 'a spec block needs name="…"',
    });
    expect(at(`${fence}ts spec name="a" colour=red\nx;\n${fence}\n`).reason).toMatch(/unknown meta "colour"/);
    expect(at(`${fence}ts spec name="a" timeout=soon\nx;\n${fence}\n`).reason).toMatch(/timeout must be/);
    expect(at(`${fence}ts spec name="a"\n\n${fence}\n`).reason).toBe('empty spec block');
    const dup = at(`${fence}ts spec name="a"\nx;\n${fence}\n\n${fence}ts spec name="A"\ny;\n${fence}\n`);
    expect(dup).toMatchObject({ line: 7 });
    expect(dup.message).toBe('content/bad.mdx:7:1: two spec blocks named "a" (the other is at line 3)');
    expect(at('<Aside>\n\nunclosed\n').message).toMatch(/^content\/bad\.mdx:\d+:\d+: MDX does not parse/);
  });

  test('parseMeta reads quoted and bare values', () => {
    expect(parseMeta('spec name="a \\"q\\" b" timeout=5')).toEqual({
      spec: true,
      name: 'a "q" b',
      timeout: '5',
    });
  });
});

describe('importEdits', () => {
  test('imports become same-line dynamic imports', () => {
    const code = [
      "import { a, b as c, type T } from 'mmspec';",
      "import type { U } from 'mmspec/explorer';",
      "import * as ex from 'mmspec/explorer';",
      'import {',
      '  d,',
      "} from 'mmspec';",
      'const v: T = a;',
    ].join('\n');
    const out = applyEdits(code, importEdits(code, 'load'));
    const lines = out.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('const { a, b: c } = await load("mmspec");');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('const ex = await load("mmspec/explorer");');
    expect(lines[3]).toBe('const { d } = await load("mmspec");');
    expect(lines[6]).toBe('const v: T = a;');
  });

  test('only the package may be imported; no side-effect imports, no exports', () => {
    expect(() => importEdits("import fs from 'node:fs';", 'l')).toThrow(ImportError);
    expect(() => importEdits("import 'mmspec';", 'l')).toThrow(/side-effect import/);
    expect(() => importEdits('export const x = 1;', 'l')).toThrow(/not a module/);
  });
});

describe('mdxToTests', () => {
  test('one test per block, named <chapter>:<line> <name>, imports rewritten in place', async () => {
    const src = `# T\n\n${fence}ts spec name="one" timeout=300\nimport { explore } from 'mmspec/explorer';\nexpect(1).toBe(1);\n${fence}\n`;
    const root = new URL('../../', import.meta.url).pathname;
    const { code, map } = await mdxToTests(src, `${root}content/t.mdx`);
    expect(code).toContain('test("t.mdx:3 one", () => __mmspecRun("content/t.mdx:3", 300, () => {');
    expect(code).toContain('const { explore } = __mmspecImport("mmspec/explorer");');
    expect(code).toContain('}), 1300);');
    expect(code).not.toContain('# T');
    expect(map.sources[0]).toMatch(/content\/t\.mdx$/);
  });

  test('`await` is refused at its MDX line: a block runs synchronously', async () => {
    const src = `\n${fence}ts spec name="async"\nconst a = 1;\nawait a;\n${fence}\n`;
    const root = new URL('../../', import.meta.url).pathname;
    await expect(mdxToTests(src, `${root}content/s.mdx`)).rejects.toMatchObject({
      file: 'content/s.mdx',
      line: 4,
      message: expect.stringMatching(/`await` is not supported in a spec block/),
    });
  });

  test('a syntax error in a block names its MDX line', async () => {
    const src = `\n${fence}ts spec name="bad"\nconst a = 1;\nconst = 2;\n${fence}\n`;
    const root = new URL('../../', import.meta.url).pathname;
    await expect(mdxToTests(src, `${root}content/s.mdx`)).rejects.toMatchObject({
      file: 'content/s.mdx',
      line: 4,
    });
  });
});

describe('permalinks', () => {
  test('encode/decode round-trips and is URL-safe', () => {
    const code = "import { explore } from 'mmspec/explorer';\n// ünïcode ✓\n".repeat(20);
    const enc = encodeCode(code);
    expect(enc).toMatch(/^[\w-]+$/);
    expect(enc.length).toBeLessThan(code.length);
    expect(decodeCode(enc)).toBe(code);
    expect(() => decodeCode('not base64!')).toThrow(/base64url/);
  });
});
