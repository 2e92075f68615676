/**
 * Compare kernels: rerun the block in one worker per variant (era[+mutation…]), every scenario()
 * built under it, and show each exploration's verdict side by side.
 */
import type { Variant } from '../shared/capture.ts';
import type { ExploreSummary } from '../shared/protocol.ts';
import { $, button, currentCode } from './block.ts';
import { h } from './dom.ts';
import { newWorker, startJob } from './run.ts';

interface Headless {
  variant: string;
  explores: ExploreSummary[];
  status: string;
  error?: string;
}

/** Run the block once in its own worker under a variant, collecting its explorations. */
function runUnder(code: string, name: string, variant: Variant, timeoutMs: number): Promise<Headless> {
  const worker = newWorker();
  const explores: ExploreSummary[] = [];
  return new Promise((resolve) => {
    let done = false;
    const end = (status: string, error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.terminate();
      port.close();
      resolve({ variant: name, explores, status, error });
    };
    const timer = window.setTimeout(() => end('timeout', `timed out after ${timeoutMs} ms`), timeoutMs);
    worker.onerror = (e) => {
      e.preventDefault();
      end('error', e.message || 'worker error');
    };
    const port = startJob(worker, { code, variant }, (m) => {
      if (m.type === 'explore') explores.push(m.result);
      else if (m.type === 'done') end(m.status, m.error ? `${m.error.name}: ${m.error.message}` : undefined);
    });
  });
}

/** Rerun the block under each of its variants and show the verdicts side by side. */
export async function compare(el: HTMLElement) {
  const { parseVariant } = await import('../shared/capture.ts');
  const names = (el.dataset.variants ?? '').split(',').filter(Boolean);
  const out = $<HTMLOutputElement>(el, 'output');
  out.querySelector(':scope > .spec-variants')?.remove();
  const box = h('div', { class: 'spec-variants' }, `Running under ${names.join(', ')}…`);
  out.append(box);
  const btn = button(el, 'variants');
  btn.disabled = true;
  const code = currentCode(el);
  const results = await Promise.all(
    names.map((n) => runUnder(code, n, parseVariant(n), Number(el.dataset.timeout))),
  );
  btn.disabled = false;
  const rows = Math.max(...results.map((r) => r.explores.length));
  const head = h('tr', {}, h('th', { scope: 'col' }, 'exploration'));
  for (const r of results) head.append(h('th', { scope: 'col' }, h('code', {}, r.variant)));
  const body: HTMLElement[] = [];
  for (let i = 0; i < rows; i++) {
    const model = results.find((r) => r.explores[i])?.explores[i].model ?? `#${i + 1}`;
    const tr = h('tr', {}, h('th', { scope: 'row' }, model));
    for (const r of results) {
      const x = r.explores[i];
      const cex = x?.counterexample;
      tr.append(
        x
          ? h(
              'td',
              { 'data-verdict': x.verdict },
              h('strong', {}, x.verdict),
              cex ? ` — '${cex.assertion}' (${cex.steps.length} steps)` : '',
            )
          : h('td', {}, '—'),
      );
    }
    body.push(tr);
  }
  const own = h('tr', {}, h('th', { scope: 'row' }, 'the block’s expect()s'));
  for (const r of results)
    own.append(
      h(
        'td',
        { 'data-status': r.status },
        r.status === 'pass' ? 'pass' : `${r.status}${r.error ? `: ${r.error}` : ''}`,
      ),
    );
  body.push(own);
  box.replaceChildren(
    h(
      'table',
      { class: 'spec-variants-table' },
      h('caption', {}, 'The same block under each kernel variant (era[+mutation]):'),
      h('thead', {}, head),
      h('tbody', {}, ...body),
    ),
  );
}
