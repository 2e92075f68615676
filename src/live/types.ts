import type { EditorView } from '@codemirror/view';

/** Placeholder until the type worker lands. */
export function attachTypes(_view: EditorView): void {}
