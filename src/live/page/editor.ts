/**
 * The block editor: CodeMirror 6, loaded on the first Edit. Tab is not bound (keyboard users leave
 * the editor with Tab as from any field; indentation is Ctrl-] / Ctrl-[). Hidden setup lines
 * start folded. Type-aware help (diagnostics, hover, completion) comes from the lazy type worker
 * (types.ts), started when the editor is first focused.
 */
import { autocompletion } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import {
  bracketMatching,
  codeFolding,
  foldEffect,
  foldGutter,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { Compartment, EditorState, type Extension, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

export interface EditorHandle {
  getCode(): string;
  setCode(code: string): void;
  /** Mark a 1-based line as the failing one (null clears). */
  markLine(line: number | null): void;
  isEdited(): boolean;
  focus(): void;
  destroy(): void;
  view: EditorView;
}

export interface EditorOptions {
  label: string;
  hiddenLines: number[];
  onChange(code: string): void;
}

// Colours from Starlight's variables: they follow the light/dark theme.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword], color: 'var(--sl-color-purple-high)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--sl-color-green-high)' },
  { tag: [t.number, t.bool, t.null], color: 'var(--sl-color-orange-high)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--sl-color-gray-3)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'var(--sl-color-blue-high)' },
  { tag: [t.typeName, t.className], color: 'var(--sl-color-red-high)' },
]);

const theme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--sl-color-bg-inline-code, var(--sl-color-gray-6))',
    color: 'var(--sl-color-white)',
  },
  '.cm-content': { caretColor: 'var(--sl-color-white)' },
  // Opaque, as the editor: the gutter stays put when the code scrolls sideways under it.
  '.cm-gutters': {
    backgroundColor: 'var(--sl-color-bg-inline-code, var(--sl-color-gray-6))',
    color: 'var(--sl-color-gray-3)',
    border: 'none',
  },
  '.cm-activeLine, .cm-activeLineGutter': {
    backgroundColor: 'color-mix(in srgb, var(--sl-color-gray-5) 40%, transparent)',
  },
  // Tooltips (type errors, hover, completion) in the theme's colours, not CodeMirror's light grey.
  '.cm-tooltip': {
    backgroundColor: 'var(--sl-color-gray-6)',
    color: 'var(--sl-color-white)',
    border: '1px solid var(--sl-color-gray-4)',
  },
  '&.cm-focused': { outline: '2px solid var(--sl-color-accent)' },
});

const setFailing = StateEffect.define<number | null>();
const failingLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects)
      if (e.is(setFailing)) {
        if (e.value === null || e.value > tr.state.doc.lines) deco = Decoration.none;
        else {
          const line = tr.state.doc.line(e.value);
          deco = Decoration.set([Decoration.line({ class: 'cm-spec-failing' }).range(line.from)]);
        }
      }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** Filled by types.ts when the type worker is up. */
export const typeSupport = new Compartment();

export function mountEditor(parent: HTMLElement, code: string, opts: EditorOptions): EditorHandle {
  const original = code;
  const extensions: Extension[] = [
    lineNumbers(),
    foldGutter(),
    codeFolding(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    javascript({ typescript: true }),
    syntaxHighlighting(highlight),
    autocompletion({ activateOnTyping: true }),
    keymap.of([
      { key: 'Mod-]', run: indentMore },
      { key: 'Mod-[', run: indentLess },
      ...historyKeymap,
      ...defaultKeymap,
    ]),
    theme,
    failingLine,
    typeSupport.of([]),
    EditorView.contentAttributes.of({ 'aria-label': opts.label }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) opts.onChange(u.state.doc.toString());
    }),
  ];
  // `not-content`: Starlight's prose styles (margins between siblings) must not reach the editor.
  const host = document.createElement('div');
  host.className = 'not-content spec-editor';
  parent.append(host);
  const view = new EditorView({ state: EditorState.create({ doc: code, extensions }), parent: host });
  if (opts.hiddenLines.length) {
    // Fold each run of hidden lines (they run; the page just keeps them out of the way).
    const effects: StateEffect<unknown>[] = [];
    const lines = [...opts.hiddenLines].sort((a, b) => a - b);
    for (let i = 0; i < lines.length; ) {
      let j = i;
      while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
      const doc = view.state.doc;
      const first = doc.line(lines[i]);
      const last = doc.line(lines[j]);
      effects.push(foldEffect.of({ from: first.from, to: last.to }));
      i = j + 1;
    }
    view.dispatch({ effects });
  }
  let typesStarted = false;
  view.contentDOM.addEventListener('focus', () => {
    if (typesStarted) return;
    typesStarted = true;
    import('./types.ts').then((m) => m.attachTypes(view, typeSupport)).catch(() => {});
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    markLine(line) {
      view.dispatch({ effects: setFailing.of(line) });
    },
    isEdited: () => view.state.doc.toString() !== original,
    focus: () => view.focus(),
    destroy: () => {
      view.destroy();
      host.remove();
    },
  };
}
