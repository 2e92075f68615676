/**
 * The live trace view, loaded after a Run finds a counterexample (controller.ts imports it
 * lazily): the swimlane figure (trace-svg.ts), a step slider with ←/→ (also on the figure) and
 * Home/End, and the state inspector (inspect.ts) for the current step: the objects it touched,
 * every field the trace knows of them, the fields it changed highlighted with their old value.
 * A short status line is aria-live; the inspector table is not (it would be read in full at
 * every step).
 */
import type { Counterexample } from '../../explorer/index.ts';
import { toDom } from '../shared/markup.ts';
import { fitLaneWidth, NARROW_SCREEN, traceNarrowTree } from '../shared/trace-fit.ts';
import { traceSvgTree, traceTableTree } from '../shared/trace-svg.ts';
import { h } from './dom.ts';
import { showValue, stateAt } from './inspect.ts';

export interface TraceView {
  readonly element: HTMLElement;
  readonly step: number;
  go(step: number): void;
}

let views = 0;

export function traceView(
  cex: Counterexample,
  opts: { model: string; index: number; start?: number; onStep?: (step: number) => void },
): TraceView {
  const n = cex.steps.length;
  const id = `mmlive${++views}`;
  const figure = h('div', {
    class: 'mm-trace-scroll',
    tabindex: '0',
    role: 'group',
    'aria-label': `Counterexample of ${opts.model}: ${n} steps. Left and right arrows step through it.`,
  });
  // On a phone the one-column drawing, as the static figures have (trace-fit.ts): every step's
  // thread in a tag and the failure written out under the last step, nothing to scroll sideways.
  const narrow = matchMedia(NARROW_SCREEN).matches;
  figure.append(
    toDom(
      narrow
        ? traceNarrowTree(cex, { id })
        : traceSvgTree(cex, { id, changes: false, laneWidth: fitLaneWidth(cex) }),
    ),
  );
  figure.classList.toggle('mm-narrow', narrow);
  const boxes = [...figure.querySelectorAll<SVGGElement>('g[data-step]')];
  const slider = h('input', {
    type: 'range',
    min: '0',
    max: String(n - 1),
    step: '1',
    value: '0',
    class: 'spec-step-slider',
    'aria-label': 'Step',
  });
  const prev = h('button', { type: 'button', 'data-step': 'prev', 'aria-label': 'Previous step' }, '←');
  const next = h('button', { type: 'button', 'data-step': 'next', 'aria-label': 'Next step' }, '→');
  const status = h('p', { class: 'spec-step-status', 'aria-live': 'polite' });
  const inspector = h('div', { class: 'spec-inspector' });
  const table = h('details', {}, h('summary', {}, 'The trace as a table'));
  table.append(toDom(traceTableTree(cex)));
  const element = h(
    'section',
    {
      class: 'spec-trace-view',
      'aria-label': `Counterexample of ${opts.model}`,
      'data-index': String(opts.index),
      'data-schedule': cex.schedule,
    },
    figure,
    h('div', { class: 'spec-stepper' }, prev, slider, next, status),
    inspector,
    table,
  );

  let current = -1;
  function go(i: number) {
    i = Math.max(0, Math.min(n - 1, i));
    if (i === current) return;
    current = i;
    slider.value = String(i);
    const s = cex.steps[i];
    slider.setAttribute('aria-valuetext', `step ${i + 1} of ${n}: ${s.thread}, ${s.label}`);
    prev.disabled = i === 0;
    next.disabled = i === n - 1;
    boxes.forEach((g, j) => {
      g.classList.toggle('future', j > i);
      const r = g.querySelector('rect.box') ?? g.querySelector('rect');
      if (r && !r.classList.contains('bad')) r.classList.toggle('cur', j === i);
    });
    const changes = s.changes.map((c) => `${c.key} ${showValue(c.before)} → ${showValue(c.after)}`);
    status.textContent = `Step ${i + 1} of ${n}: ${s.thread} — ${s.label}${s.preemption ? ' (preempts)' : ''}${
      changes.length ? `; changes ${changes.join(', ')}` : ''
    }${i === n - 1 ? `. Then '${cex.assertion}' fails: ${cex.message}` : ''}`;
    inspector.replaceChildren(...renderState(cex, i));
    opts.onStep?.(i);
  }

  slider.addEventListener('input', () => go(Number(slider.value)));
  prev.addEventListener('click', () => go(current - 1));
  next.addEventListener('click', () => go(current + 1));
  figure.addEventListener('keydown', (e) => {
    const to =
      e.key === 'ArrowLeft'
        ? current - 1
        : e.key === 'ArrowRight'
          ? current + 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : null;
    if (to === null) return;
    e.preventDefault();
    go(to);
  });
  figure.addEventListener('click', (e) => {
    const g = (e.target as Element).closest?.('g[data-step]');
    if (g) go(Number(g.getAttribute('data-step')));
  });
  go(opts.start ?? 0);
  return {
    element,
    get step() {
      return current;
    },
    go,
  };
}

function renderState(cex: Counterexample, i: number): HTMLElement[] {
  const objects = stateAt(cex, i);
  if (objects.length === 0)
    return [h('p', { class: 'spec-inspector-empty' }, 'This step touches no shared state.')];
  return objects.map((o) => {
    const rows = o.fields.map((f) => {
      const value = h('td', {});
      if (f.changed) value.append(h('del', {}, showValue(f.before)), ' → ', h('ins', {}, showValue(f.value)));
      else value.append(f.known ? showValue(f.value) : '(not recorded)');
      const how = [f.changed ? 'changed' : f.written ? 'written' : '', f.read ? 'read' : ''].filter(Boolean);
      return h(
        'tr',
        f.changed ? { class: 'changed' } : {},
        h('th', { scope: 'row' }, f.field || o.object),
        value,
        h('td', { class: 'spec-access' }, how.join(', ')),
      );
    });
    return h(
      'table',
      { class: 'spec-object', 'data-object': o.object },
      h('caption', {}, o.object),
      h('tbody', {}, ...rows),
    );
  });
}
