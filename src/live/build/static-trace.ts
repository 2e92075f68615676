/**
 * The counterexamples a block found when the site was built, as static HTML under the block (no
 * script needed to see them). Per distinct counterexample: the swimlane picture as a lazily loaded
 * image in the site's light and dark palettes (CSS shows the one of the current theme; the other
 * is never fetched), the failing step as alt text, and a link to the same trace as
 * an HTML table with the changes of each step (a page of its own: the chapter stays light). The
 * page's runner replaces them with the live, steppable view after Run.
 */

import { fitLaneWidth, NARROW_SCREEN, traceToNarrowSvg } from '../shared/trace-fit.ts';
import { traceToSvg, traceToTable } from '../shared/trace-svg.ts';
import type { BuiltTrace } from './build-traces.ts';
import { traceAsset } from './trace-assets.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function tablePage(t: BuiltTrace): string {
  const title = `Counterexample of ${t.model}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>body{font:14px/1.4 ui-monospace,monospace;margin:1rem}td,th{border:1px solid #999;padding:2px 6px;vertical-align:top;text-align:left}table{border-collapse:collapse}caption{text-align:left;font-weight:bold;margin-bottom:.5rem}</style></head><body><h1>${esc(title)}</h1><p>Schedule <code>${esc(t.counterexample.schedule)}</code></p>${traceToTable(t.counterexample)}</body></html>`;
}

export function staticTraces(traces: readonly BuiltTrace[]): string {
  const seen = new Set<string>();
  const figures: string[] = [];
  for (const t of traces) {
    const cex = t.counterexample;
    const key = `${t.model}\u0000${cex.schedule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A short alt text (the failing step; the caption has the failure): every step, with what it
    // changed, is on the table page linked under the figure, its long description.
    const last = cex.steps[cex.steps.length - 1];
    const alt = `Counterexample of ${cex.threads.length} threads over ${cex.steps.length} steps; the last, #${last?.index} ${last?.thread}: ${last?.label}, breaks the rule. Every step is in the table linked below.`;
    // Per theme: the swimlanes fitted to the content column (no changes column), and on a phone
    // the one-column drawing (trace-fit.ts) in their place.
    const size = (svg: string) => /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    const imgs = (['light', 'dark'] as const).map((theme) => {
      const svg = traceToSvg(cex, { id: 'cex', theme, changes: false, laneWidth: fitLaneWidth(cex) });
      const narrow = traceToNarrowSvg(cex, { theme });
      const [, w, h] = size(svg);
      const [, nw, nh] = size(narrow);
      return `<picture><source media="${NARROW_SCREEN}" srcset="${traceAsset(narrow)}" width="${nw}" height="${nh}"><img class="mm-trace-img mm-${theme}" src="${traceAsset(svg)}" width="${w}" height="${h}" loading="lazy" decoding="async" alt="${esc(alt)}"></picture>`;
    });
    figures.push(
      `<figure class="mm-trace-fig" data-trace-index="${t.index}" data-model="${esc(t.model)}" data-schedule="${esc(cex.schedule)}">` +
        `<figcaption><strong>${esc(t.model)}</strong>: ${esc(`'${cex.assertion}' violated: ${cex.message}`)}. ${cex.steps.length} step${cex.steps.length === 1 ? '' : 's'}, ${cex.preemptions} preemption${cex.preemptions === 1 ? '' : 's'}; found when the site was built. Run the block to step through it.</figcaption>` +
        `<div class="mm-trace-scroll">${imgs.join('')}</div>` +
        `<a class="mm-trace-table-link" href="${traceAsset(tablePage(t), 'html')}">The steps as a table, with what each changed</a>` +
        `</figure>`,
    );
  }
  return figures.join('');
}
