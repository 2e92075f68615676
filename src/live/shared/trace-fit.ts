/**
 * Counterexample figures that fit where they are shown (issue 13).
 * - `fitLaneWidth`: the swimlanes' lane width so that the figure, drawn without its changes column
 *   (the table and the live inspector show the changes), fits the content column at ≥ 1024 px.
 * - `traceToNarrowSvg`: the drawing for a phone: one column, a row per step with its thread's
 *   name in a tag, the failing step outlined and the failure written out in full under it, so
 *   nothing has to be scrolled sideways to find the violation.
 * Both are pure element trees / text (markup.ts), like trace-svg.ts.
 */
import type { Counterexample } from '../../explorer/index.ts';
import { type El, el, toMarkup } from './markup.ts';
import { stepLabel, svgFigure, TRACE_CSS } from './trace-svg.ts';

/** The figure's room at 1280 px (the content column less the block's padding); 1024 px has more. */
export const FIT_WIDTH = 600;
/** The narrow drawing's width: a 390 px phone's content column less the block's padding. */
export const NARROW_WIDTH = 330;
/** Where the narrow drawing replaces the swimlanes (the static figures' <source media>, the live view). */
export const NARROW_SCREEN = '(max-width: 40rem)';

export function fitLaneWidth(cex: Counterexample, width = FIT_WIDTH): number {
  const lanes = new Set(cex.steps.map((s) => s.thread)).size || 1;
  return Math.max(110, Math.min(260, Math.floor((width - 36) / lanes)));
}

const ROW = 28;
const BOX_H = 22;
const CH = 7.2;
/** The wide drawing's classes, and the thread tag (the same colours as a lane). */
const CSS = `${TRACE_CSS}.mm-trace .tag{fill:var(--mm-lane,var(--sl-color-gray-6,#f3f4f6));stroke:var(--mm-stroke,var(--sl-color-gray-3,#6b7280))}`;

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`);

/** Break text into lines of at most n characters, at spaces where it can. */
function wrap(text: string, n: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    for (let w = word; w; ) {
      const room = line ? n - line.length - 1 : n;
      if (w.length <= room) {
        line = line ? `${line} ${w}` : w;
        w = '';
      } else if (!line) {
        out.push(w.slice(0, n));
        w = w.slice(n);
      } else {
        out.push(line);
        line = '';
      }
    }
  }
  if (line) out.push(line);
  return out;
}

/** The phone drawing as text (build: an image per theme). */
export function traceToNarrowSvg(
  cex: Counterexample,
  opts: { theme: 'light' | 'dark'; id?: string },
): string {
  return toMarkup(traceNarrowTree(cex, opts));
}

/** The phone drawing as an element tree (the live view on a narrow screen; no theme: page colours). */
export function traceNarrowTree(cex: Counterexample, opts: { theme?: 'light' | 'dark'; id?: string }): El {
  const id = opts.id ?? 'cexn';
  const width = NARROW_WIDTH;
  const threads = [...new Set(cex.steps.map((s) => s.thread))];
  const tagW = Math.min(64, Math.max(28, Math.max(...threads.map((t) => t.length)) * CH + 10));
  const x1 = 30 + tagW + 6;
  const last = cex.steps.length - 1;
  const message = wrap(`✗ ${cex.assertion}: ${cex.message}`, Math.floor((width - 8) / CH));
  const height = 8 + cex.steps.length * ROW + 10 + message.length * 16 + 6;
  const out = [el('style', {}, CSS)];
  cex.steps.forEach((s, i) => {
    const y = 8 + i * ROW;
    const label = stepLabel(s);
    const lane = threads.indexOf(s.thread);
    out.push(
      el(
        'g',
        { 'data-step': s.index },
        el('title', {}, `#${s.index} ${s.thread}: ${label}`),
        el('text', { class: 'dim', x: 2, y: y + 15 }, `${s.preemption ? '»' : ''}#${s.index}`),
        // The thread's tag, indented by lane so a switch of thread shows at a glance.
        el('rect', {
          class: 'tag',
          x: 30,
          y: y + 2,
          width: tagW,
          height: BOX_H - 4,
          rx: 9,
          opacity: 0.6 + 0.4 * (lane % 2),
        }),
        el(
          'text',
          { class: 'txt', x: 30 + tagW / 2, y: y + 15, 'text-anchor': 'middle', 'font-weight': 'bold' },
          s.thread,
        ),
        el('rect', {
          class: ['box', s.kind === 'await' ? 'wait' : '', i === last ? 'bad' : ''].filter(Boolean).join(' '),
          x: x1,
          y,
          width: width - x1 - 2,
          height: BOX_H,
          rx: 4,
        }),
        el('text', { class: 'txt', x: x1 + 5, y: y + 15 }, clip(label, Math.floor((width - x1 - 12) / CH))),
      ),
    );
  });
  message.forEach((line, i) => {
    out.push(
      el(
        'text',
        { class: 'badtxt', x: 2, y: 8 + cex.steps.length * ROW + 22 + i * 16, 'font-weight': 'bold' },
        line,
      ),
    );
  });
  return svgFigure(cex, { id, width, height, theme: opts.theme, font: 'ui-monospace, monospace' }, out);
}
