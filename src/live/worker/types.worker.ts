/**
 * The type worker: TypeScript 6's language service over @typescript/vfs, started on the first focus
 * of a block editor (types.ts) and never on the run path. Every file it needs — the ES2023 library,
 * the mmspec sources, vitest's expect types — was bundled at build (vite-block-types.ts): no CDN.
 * Blocks are checked exactly as the CI gate checks them (block-program.ts).
 */

import files from 'virtual:mmspec-block-files';
import { createSystem, createVirtualTypeScriptEnvironment } from '@typescript/vfs';
import ts from 'typescript';
import {
  blockCompilerOptions,
  blockDiagnostics,
  blockModule,
  PRELUDE,
  PRELUDE_NAME,
} from '../shared/block-program.ts';
import type { TypesRequest, TypesResponse } from '../shared/types-protocol.ts';

const fsMap = new Map<string, string>(Object.entries(files));
fsMap.set(`/${PRELUDE_NAME}`, PRELUDE);
const system = createSystem(fsMap);
const env = createVirtualTypeScriptEnvironment(
  system,
  [`/${PRELUDE_NAME}`],
  ts,
  blockCompilerOptions(ts, '/'),
);
const known = new Set<string>();

function sync(file: string, code: string) {
  const text = blockModule(code);
  if (!known.has(file)) {
    env.createFile(file, text);
    known.add(file);
  } else env.updateFile(file, text);
}

function answer(req: TypesRequest): TypesResponse {
  sync(req.file, req.code);
  const ls = env.languageService;
  switch (req.kind) {
    case 'diagnostics': {
      const program = ls.getProgram();
      if (!program) return { id: req.id, kind: 'diagnostics', diagnostics: [] };
      return { id: req.id, kind: 'diagnostics', diagnostics: blockDiagnostics(ts, program, req.file) };
    }
    case 'hover': {
      const info = ls.getQuickInfoAtPosition(req.file, req.pos);
      if (!info) return { id: req.id, kind: 'hover', hover: null };
      return {
        id: req.id,
        kind: 'hover',
        hover: {
          from: info.textSpan.start,
          to: info.textSpan.start + info.textSpan.length,
          text: ts.displayPartsToString(info.displayParts),
          doc: ts.displayPartsToString(info.documentation),
        },
      };
    }
    case 'complete': {
      const c = ls.getCompletionsAtPosition(req.file, req.pos, {});
      return {
        id: req.id,
        kind: 'complete',
        items: (c?.entries ?? [])
          .slice(0, 200)
          .map((e) => ({ label: e.name, kind: e.kind, sort: e.sortText })),
        from: c?.optionalReplacementSpan?.start ?? null,
      };
    }
  }
}

self.onmessage = (e: MessageEvent<TypesRequest>) => {
  let res: TypesResponse;
  try {
    res = answer(e.data);
  } catch (err) {
    res = { id: e.data.id, kind: 'error', message: (err as Error).message };
  }
  (self as unknown as Worker).postMessage(res);
};
