/**
 * How a spec block is type-checked, shared by the CI gate (spec-tests/blocks/typecheck.ts, real
 * files on disk) and the page's type worker (types.worker.ts, the same files bundled at build into
 * a virtual file system). A block is checked as its own module at `<root>/<file>.block<N>.ts`,
 * against the real sources of `mmspec` and `mmspec/explorer`, with vitest's `expect` as a global.
 * The `ts` module is passed in (TypeScript 6: the last version with a JS compiler API).
 */
import type * as TS from 'typescript';

/** Globals a block sees in both runners: vitest's expect (its @vitest/expect core) and console. */
export const PRELUDE_NAME = 'mmspec-block-globals.d.ts';
export const PRELUDE = `import type { ExpectStatic } from '@vitest/expect';
declare global {
  const expect: ExpectStatic;
  const console: {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
    debug(...data: unknown[]): void;
  };
}
export {};
`;

/** Block code as a module: `export {}` after the last line keeps every line where it is. */
export function blockModule(code: string): string {
  return `${code}\n;export {};\n`;
}

export function blockFileName(root: string, file: string, index: number): string {
  return `${root}${file}.block${index}.ts`;
}

export function blockCompilerOptions(ts: typeof TS, root: string): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    // Blocks run in a Web Worker and in Node: the language, not the DOM or Node's APIs.
    lib: ['lib.es2023.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: false,
    paths: {
      mmspec: [`${root}src/sim/index.ts`],
      'mmspec/explorer': [`${root}src/explorer/index.ts`],
    },
  };
}

export interface BlockDiagnostic {
  /** Offset and length in the block's code. */
  start: number;
  length: number;
  /** 1-based, in the block. */
  line: number;
  column: number;
  code: number;
  category: 'error' | 'warning' | 'suggestion' | 'message';
  message: string;
}

export function blockDiagnostics(ts: typeof TS, program: TS.Program, fileName: string): BlockDiagnostic[] {
  const sf = program.getSourceFile(fileName);
  if (!sf) throw new Error(`${fileName} is not in the program`);
  const all = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  return all.map((d) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      start: d.start ?? 0,
      length: d.length ?? 0,
      line: line + 1,
      column: character + 1,
      code: d.code,
      category: ts.DiagnosticCategory[d.category].toLowerCase() as BlockDiagnostic['category'],
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    };
  });
}

/**
 * A TypeScript program over some in-memory files (the blocks, the prelude) and the real ones they
 * import: the block type-check and the type worker's bundle build on the same host.
 */
export function virtualProgram(
  ts: typeof TS,
  options: TS.CompilerOptions,
  virtual: ReadonlyMap<string, string>,
): TS.Program {
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text !== undefined
      ? ts.createSourceFile(f, text, lang)
      : getSourceFile.call(host, f, lang, onError, create);
  };
  return ts.createProgram({ rootNames: [...virtual.keys()], options, host });
}
