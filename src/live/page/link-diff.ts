/**
 * What a link changes in a block: its code against the chapter's, as a line diff (jsdiff), built
 * from text nodes only: the code is a stranger's. Loaded with the first link that carries code.
 */
import { diffLines } from 'diff';
import { h } from './dom.ts';

/** Unchanged lines kept around each change; longer unchanged runs are folded into one line. */
const CONTEXT = 2;
/** The diff runs on the main thread while the page opens: past this it gives up (Myers is O(ND)). */
const TIMEOUT_MS = 40;

export interface DiffLine {
  op: '+' | '-' | ' ' | '…';
  text: string;
}

/** The lines of the diff from `from` to `to`, unchanged runs folded; null if it took too long. */
export function lineDiff(from: string, to: string): DiffLine[] | null {
  // Both end in a newline, so an appended line does not also show the last line as changed.
  const parts = diffLines(`${from}\n`, `${to}\n`, { timeout: TIMEOUT_MS });
  if (!parts) return null;
  const out: DiffLine[] = [];
  parts.forEach((p, i) => {
    const lines = p.value.replace(/\n$/, '').split('\n');
    if (p.added || p.removed) {
      for (const text of lines) out.push({ op: p.added ? '+' : '-', text });
      return;
    }
    const head = i === 0 ? 0 : CONTEXT;
    const tail = i === parts.length - 1 ? 0 : CONTEXT;
    if (lines.length <= head + tail + 1) {
      for (const text of lines) out.push({ op: ' ', text });
      return;
    }
    for (const text of lines.slice(0, head)) out.push({ op: ' ', text });
    out.push({ op: '…', text: `${lines.length - head - tail} unchanged lines` });
    for (const text of lines.slice(lines.length - tail)) out.push({ op: ' ', text });
  });
  return out;
}

const count = (n: number) => `${n} line${n === 1 ? '' : 's'}`;

export function diffView(from: string, to: string): HTMLElement {
  const lines = lineDiff(from, to);
  if (!lines)
    return h(
      'p',
      { class: 'spec-diff' },
      'The link’s code differs too much from the chapter’s to show a diff.',
    );
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  const pre = h('pre', { class: 'spec-diff-lines', tabindex: '0' });
  for (const l of lines)
    pre.append(h('span', { 'data-op': l.op }, l.op === '…' ? `  … ${l.text}\n` : `${l.op} ${l.text}\n`));
  return h(
    'details',
    { class: 'spec-diff', open: '' },
    h('summary', {}, `Difference from the chapter’s code: ${count(added)} added, ${count(removed)} removed`),
    pre,
  );
}
