/**
 * The counterexamples a block found when the site was built, as static HTML under the block (no
 * script needed to see them). Per distinct counterexample: the swimlane picture as a lazily loaded
 * image in the site's light and dark palettes (CSS shows the one of the current theme; the other
 * is never fetched), its description as alt text, and the same trace as a table in a <details>
 * (the text alternative). The page's runner replaces them with the live, steppable view after Run.
 */
import type { BuiltTrace } from './build-traces.ts';
import { traceAsset } from './trace-assets.ts';
import { describe, traceToSvg, traceToTable } from './trace-svg.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function staticTraces(traces: readonly BuiltTrace[]): string {
  const seen = new Set<string>();
  const figures: string[] = [];
  for (const t of traces) {
    const cex = t.counterexample;
    const key = `${t.model}\u0000${cex.schedule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const imgs = (['light', 'dark'] as const).map((theme) => {
      const svg = traceToSvg(cex, { id: 'cex', theme });
      const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
      return `<img class="mm-trace-img mm-${theme}" src="${traceAsset(svg)}" width="${w}" height="${h}" loading="lazy" decoding="async" alt="${esc(describe(cex))}">`;
    });
    figures.push(
      `<figure class="mm-trace-fig" data-trace-index="${t.index}" data-model="${esc(t.model)}" data-schedule="${esc(cex.schedule)}">` +
        `<figcaption><strong>${esc(t.model)}</strong>: ${esc(`'${cex.assertion}' violated`)}. ${cex.steps.length} step${cex.steps.length === 1 ? '' : 's'}, ${cex.preemptions} preemption${cex.preemptions === 1 ? '' : 's'}; found when the site was built. Run the block to step through it.</figcaption>` +
        `<div class="mm-trace-scroll">${imgs.join('')}</div>` +
        `<details><summary>The trace as a table</summary>${traceToTable(cex)}</details>` +
        `</figure>`,
    );
  }
  return figures.join('');
}
