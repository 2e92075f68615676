/**
 * Type-aware editing: diagnostics (lint), hover and completion from the type worker
 * (types.worker.ts, TypeScript 6 + @typescript/vfs), loaded on the first focus of an editor. One
 * worker serves every editor of the page; each block is its own file in it.
 */
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { type Diagnostic, linter } from '@codemirror/lint';
import { type Compartment, EditorState } from '@codemirror/state';
import { type EditorView, hoverTooltip } from '@codemirror/view';
import type { TypesRequest, TypesResponse } from '../shared/types-protocol.ts';

type Ask = TypesRequest extends infer R ? (R extends TypesRequest ? Omit<R, 'id'> : never) : never;

let worker: Worker | null = null;
let next = 1;
const waiting = new Map<number, (r: TypesResponse) => void>();

function ask(req: Ask): Promise<TypesResponse> {
  if (!worker) {
    worker = new Worker(new URL('../worker/types.worker.ts', import.meta.url), {
      type: 'module',
      name: 'mmspec-types',
    });
    worker.onmessage = (e: MessageEvent<TypesResponse>) => {
      waiting.get(e.data.id)?.(e.data);
      waiting.delete(e.data.id);
    };
  }
  const id = next++;
  const w = worker;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    w.postMessage({ ...req, id });
  });
}

let files = 0;

/** `typeSupport` is the editor's compartment for these extensions (passed in: no import cycle). */
export function attachTypes(view: EditorView, typeSupport: Compartment): void {
  const file = `/blocks/block${files++}.ts`;
  const code = () => view.state.doc.toString();

  const lint = linter(
    async (v) => {
      const r = await ask({ kind: 'diagnostics', file, code: code() });
      if (r.kind !== 'diagnostics') return [];
      const len = v.state.doc.length;
      return r.diagnostics.map(
        (d): Diagnostic => ({
          from: Math.min(d.start, len),
          to: Math.min(d.start + Math.max(d.length, 1), len),
          severity: d.category === 'error' ? 'error' : d.category === 'warning' ? 'warning' : 'info',
          message: `TS${d.code}: ${d.message}`,
        }),
      );
    },
    { delay: 400 },
  );

  const hover = hoverTooltip(async (_v, pos) => {
    const r = await ask({ kind: 'hover', file, code: code(), pos });
    if (r.kind !== 'hover' || !r.hover) return null;
    const { from, to, text, doc } = r.hover;
    return {
      pos: from,
      end: to,
      create() {
        const dom = document.createElement('div');
        dom.className = 'cm-spec-hover';
        const sig = document.createElement('code');
        sig.textContent = text;
        dom.append(sig);
        if (doc) {
          const p = document.createElement('p');
          p.textContent = doc;
          dom.append(p);
        }
        return { dom };
      },
    };
  });

  const complete = async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const word = ctx.matchBefore(/[\w$]*/);
    const afterDot = ctx.matchBefore(/\.[\w$]*/);
    if (!ctx.explicit && !afterDot && (!word || word.from === word.to)) return null;
    const r = await ask({ kind: 'complete', file, code: code(), pos: ctx.pos });
    if (r.kind !== 'complete') return null;
    return {
      from: word ? word.from : ctx.pos,
      options: r.items.map((i) => ({
        label: i.label,
        type: i.kind,
        boost: -Number.parseInt(i.sort, 10) || 0,
      })),
      validFor: /^[\w$]*$/,
    };
  };

  view.dispatch({
    effects: typeSupport.reconfigure([
      lint,
      hover,
      EditorState.languageData.of(() => [{ autocomplete: complete }]),
    ]),
  });
}
