import type { Counterexample, TraceStep } from '../../explorer/index.ts';
import { type El, el, toMarkup } from './markup.ts';

/**
 * A counterexample as a swimlane picture: one lane per thread, one row per step in the order the
 * explorer ran them, lock-held spans as bars beside the lane, waits dashed, the races that made
 * the interleaving matter as arrows, and the step that broke the rule outlined with the check it
 * broke. A pure element tree (markup.ts), no DOM: the same drawing is written as a file at build
 * time and built as DOM nodes in the page after a Run, where every label is a text node.
 *
 * Colours are CSS custom properties with fallbacks, so the figure follows the site's light and
 * dark themes when inlined and still reads when opened on its own.
 */

export interface SvgOptions {
  /** Prefix for ids inside the SVG (markers, title): unique per page. */
  id?: string;
  /** Highlight this step as the current one (the step slider). */
  current?: number;
  /** Lane width in px (default: fit the longest label, 150 to 260; longer labels are clipped, full in the tooltip). */
  laneWidth?: number;
  /**
   * A fixed palette, for the SVG as a file of its own (an <img> cannot see the page's theme):
   * the site's light or dark colours. Default: the page's CSS variables.
   */
  theme?: 'light' | 'dark';
  /** Draw the changes column (default true); the table and the live inspector also show them. */
  changes?: boolean;
}

/** Starlight's light and dark colours (props.css), as the figure's own variables. */
export const PALETTES: Record<'light' | 'dark', Record<string, string>> = {
  light: {
    lane: 'hsl(224,20%,94%)',
    box: '#fff',
    stroke: 'hsl(224,7%,36%)',
    text: 'hsl(224,10%,10%)',
    dim: 'hsl(224,7%,36%)',
    lock: 'hsl(234,90%,60%)',
    race: '#b45309',
    bad: '#dc2626',
    cur: 'hsl(234,90%,60%)',
    bg: '#fff',
  },
  dark: {
    lane: 'hsl(224,14%,16%)',
    box: 'hsl(224,10%,10%)',
    stroke: 'hsl(224,6%,56%)',
    text: 'hsl(224,20%,94%)',
    dim: 'hsl(224,6%,66%)',
    lock: 'hsl(224,100%,68%)',
    race: '#f59e0b',
    bad: '#f87171',
    cur: 'hsl(224,100%,75%)',
    bg: 'hsl(224,10%,10%)',
  },
};

const ROW = 30;
const HEAD = 34;
const BOX_H = 22;
const CHANGES_W = 260;
const GUTTER = 36;
const BAR = 5;
/** The drawing's classes, coloured by the theme's --mm-* properties or, live, by the page's. */
export const TRACE_CSS =
  '.mm-trace .lane{fill:var(--mm-lane,var(--sl-color-gray-6,#f3f4f6))}.mm-trace .box{fill:var(--mm-box,var(--sl-color-bg,#fff));stroke:var(--mm-stroke,var(--sl-color-gray-3,#6b7280))}.mm-trace .txt{fill:var(--mm-text,var(--sl-color-text,#111827))}.mm-trace .dim{fill:var(--mm-dim,var(--sl-color-gray-3,#6b7280))}.mm-trace .lock{fill:var(--mm-lock,var(--sl-color-accent,#2563eb))}.mm-trace .race{stroke:var(--mm-race,#d97706);fill:none}.mm-trace .racehead{fill:var(--mm-race,#d97706)}.mm-trace .bad{stroke:var(--mm-bad,#dc2626);stroke-width:2.5}.mm-trace .badtxt{fill:var(--mm-bad,#dc2626)}.mm-trace .cur{stroke:var(--mm-cur,var(--sl-color-accent,#2563eb));stroke-width:2.5}.mm-trace .wait{stroke-dasharray:4 3}';

/** The figure as an element tree (markup.ts): `toDom()` in the page, `toMarkup()` at build. */
export function traceSvgTree(cex: Counterexample, opts: SvgOptions = {}): El {
  const id = opts.id ?? 'cex';
  const lanes = cex.threads.filter((t) => cex.steps.some((s) => s.thread === t));
  const longest = Math.max(...cex.steps.map((s) => stepLabel(s).length), ...lanes.map((t) => t.length));
  const laneW = opts.laneWidth ?? Math.min(260, Math.max(150, Math.ceil(longest * 7.2) + 44));
  const changesW = opts.changes === false ? 0 : CHANGES_W;
  const width = GUTTER + lanes.length * laneW + changesW;
  const last = cex.steps.length - 1;
  const foot = 40;
  const height = HEAD + cex.steps.length * ROW + foot;
  const x0 = (t: string) => GUTTER + lanes.indexOf(t) * laneW;
  const yRow = (i: number) => HEAD + i * ROW;
  const out: El[] = [];
  out.push(el('style', {}, TRACE_CSS));
  out.push(
    el(
      'defs',
      {},
      el(
        'marker',
        {
          id: `${id}-arrow`,
          viewBox: '0 0 8 8',
          refX: 7,
          refY: 4,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        el('path', { class: 'racehead', d: 'M0,0L8,4L0,8z' }),
      ),
    ),
  );
  // Lanes and their headers.
  for (const t of lanes) {
    const x = x0(t);
    out.push(
      el('rect', {
        class: 'lane',
        x: x + 4,
        y: HEAD - 6,
        width: laneW - 8,
        height: cex.steps.length * ROW + 6,
        rx: 6,
      }),
    );
    out.push(
      el(
        'text',
        { class: 'txt', x: x + laneW / 2, y: 20, 'text-anchor': 'middle', 'font-weight': 'bold' },
        t,
      ),
    );
  }
  if (changesW)
    out.push(el('text', { class: 'dim', x: GUTTER + lanes.length * laneW + 8, y: 20 }, 'changes'));
  // Lock-held spans: from a lock step to the matching unlock (or the end), beside the lane.
  for (const span of lockSpans(cex.steps)) {
    const x = x0(span.thread) + 6 + span.depth * (BAR + 2);
    const y1 = yRow(span.from) + 4;
    const y2 = span.to < 0 ? yRow(last) + ROW - 4 : yRow(span.to) + BOX_H;
    out.push(
      el(
        'rect',
        { class: 'lock', x, y: y1, width: BAR, height: Math.max(4, y2 - y1), rx: 2, opacity: 0.55 },
        el('title', {}, `${span.thread} holds ${span.mutex}`),
      ),
    );
  }
  // Race arrows: from the earlier step to the one that raced with it.
  for (const s of cex.steps)
    for (const r of s.racesWith) {
      const a = cex.steps[r];
      if (!a) continue;
      const ax = x0(a.thread) + laneW / 2;
      const bx = x0(s.thread) + laneW / 2;
      const ay = yRow(r) + BOX_H;
      const by = yRow(s.index) + 2;
      const mx = (ax + bx) / 2;
      out.push(
        el(
          'path',
          {
            class: 'race',
            d: `M${ax},${ay} C${mx},${ay + 8} ${mx},${by - 8} ${bx},${by}`,
            'stroke-width': 1.3,
            'marker-end': `url(#${id}-arrow)`,
          },
          el('title', {}, `#${s.index} races with #${r}`),
        ),
      );
    }
  // Steps.
  for (const s of cex.steps) {
    const x = x0(s.thread) + 16;
    const y = yRow(s.index);
    const w = laneW - 28;
    const cls = ['box'];
    if (s.kind === 'await') cls.push('wait');
    if (s.index === last) cls.push('bad');
    else if (s.index === opts.current) cls.push('cur');
    const label = stepLabel(s);
    const shown = clip(label, Math.floor((w - 10) / 7.2));
    out.push(
      el(
        'g',
        { 'data-step': s.index },
        el('title', {}, `#${s.index} ${s.thread}: ${label}`),
        el('rect', { class: cls.join(' '), x, y, width: w, height: BOX_H, rx: 4 }),
        el('text', { class: 'txt', x: x + 6, y: y + 15 }, shown),
      ),
    );
    out.push(el('text', { class: 'dim', x: 4, y: y + 15 }, `${s.preemption ? '»' : ''}#${s.index}`));
    const ch = s.changes.map((c) => `${c.key}: ${show(c.before)}→${show(c.after)}`).join(', ');
    if (ch && changesW)
      out.push(
        el(
          'text',
          { class: 'dim', x: GUTTER + lanes.length * laneW + 8, y: y + 15 },
          clip(ch, Math.floor(CHANGES_W / 7.2) - 1),
          el('title', {}, ch),
        ),
      );
  }
  const fy = HEAD + cex.steps.length * ROW + 24;
  out.push(
    el(
      'text',
      { class: 'badtxt', x: GUTTER, y: fy, 'font-weight': 'bold' },
      clip(`✗ ${cex.assertion}: ${cex.message}`, Math.floor((width - GUTTER) / 7.2)),
    ),
  );
  return svgFigure(
    cex,
    { id, width, height, theme: opts.theme, font: 'var(--sl-font-system-mono, ui-monospace, monospace)' },
    out,
  );
}

/**
 * A figure's root, shared by the swimlane and the narrow drawing (trace-fit.ts): its size, its
 * accessible name (title and desc), and, for a file of its own, the theme's palette as variables.
 */
export function svgFigure(
  cex: Counterexample,
  o: { id: string; width: number; height: number; theme?: 'light' | 'dark'; font: string },
  body: El[],
): El {
  const palette = o.theme ? PALETTES[o.theme] : null;
  const style = palette
    ? `${Object.entries(palette)
        .map(([k, v]) => `--mm-${k}:${v}`)
        .join(';')};background:var(--mm-bg)`
    : undefined;
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'mm-trace',
      viewBox: `0 0 ${o.width} ${o.height}`,
      width: o.width,
      height: o.height,
      role: 'img',
      'aria-labelledby': `${o.id}-title ${o.id}-desc`,
      'font-family': o.font,
      'font-size': 12,
      style,
    },
    el('title', { id: `${o.id}-title` }, `Counterexample: '${cex.assertion}' violated`),
    el('desc', { id: `${o.id}-desc` }, describe(cex)),
    ...body,
  );
}

/** The figure as SVG text (build time: the files under dist/_traces). */
export function traceToSvg(cex: Counterexample, opts: SvgOptions = {}): string {
  return toMarkup(traceSvgTree(cex, opts));
}

/** The same trace as an HTML table: the figure's text alternative for screen readers. */
export function traceTableTree(cex: Counterexample): El {
  const rows = cex.steps.map((s) =>
    el(
      'tr',
      {},
      el('td', {}, String(s.index)),
      el('td', {}, s.thread),
      el('td', {}, `${stepLabel(s)}${s.preemption ? ' (preempts)' : ''}`),
      el('td', {}, s.changes.map((c) => `${c.key}: ${show(c.before)} → ${show(c.after)}`).join(', ')),
      el('td', {}, s.racesWith.map((r) => `#${r}`).join(', ')),
    ),
  );
  return el(
    'table',
    { class: 'mm-trace-table' },
    el('caption', {}, `'${cex.assertion}' violated: ${cex.message}`),
    el('thead', {}, el('tr', {}, ...['#', 'thread', 'step', 'changes', 'after'].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows),
  );
}

export function traceToTable(cex: Counterexample): string {
  return toMarkup(traceTableTree(cex));
}

interface Span {
  thread: string;
  mutex: string;
  from: number;
  /** Index of the unlock, or -1 if still held at the end. */
  to: number;
  depth: number;
}

function lockSpans(steps: readonly TraceStep[]): Span[] {
  const open = new Map<string, Span>();
  const spans: Span[] = [];
  const depth = new Map<string, number>();
  for (const s of steps) {
    if (!s.mutex) continue;
    const key = `${s.thread}\u0000${s.mutex}`;
    if (s.kind === 'acquire') {
      const d = depth.get(s.thread) ?? 0;
      depth.set(s.thread, d + 1);
      const span = { thread: s.thread, mutex: s.mutex, from: s.index, to: -1, depth: d };
      open.set(key, span);
      spans.push(span);
    } else if (s.kind === 'release') {
      const span = open.get(key);
      if (span) {
        span.to = s.index;
        open.delete(key);
        depth.set(s.thread, Math.max(0, (depth.get(s.thread) ?? 1) - 1));
      }
    }
  }
  return spans;
}

/** A step's label as drawn: with its choice, and "(waits)" for a wait that did not hold. */
export function stepLabel(s: TraceStep): string {
  let l = s.label;
  if (s.choice !== undefined) l += ` → ${s.choice}`;
  if (s.failed) l += ' (waits)';
  return l;
}

/** The figure in words: its <desc>, and the alt text of the static image. */
export function describe(cex: Counterexample): string {
  const steps = cex.steps.map((s) => `#${s.index} ${s.thread}: ${stepLabel(s)}`).join('; ');
  return `${cex.threads.length} threads, ${cex.steps.length} steps, ${cex.preemptions} preemption(s). ${steps}. Then '${cex.assertion}' fails: ${cex.message}`;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

function show(v: unknown): string {
  if (v === undefined) return '∅';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}
