import { describe, expect, test } from 'vitest';
import { bug, type Counterexample, defineModel, explore, type Model } from '../../src/explorer/index.ts';
import { traceToSvg, traceToTable } from '../../src/live/shared/trace-svg.ts';

/** exit frees the anon_vma while reclaim, which saw the folio mapped, is about to lock it. */
const race: Model = defineModel('picture', (m) => {
  const mapcount = m.cell('folio#1.mapcount', 1);
  const av = m.cell('anon_vma#1.state', 'live');
  const ptl = m.mutex('ptl');
  m.thread('exit', function* () {
    yield ptl.lock('pte_offset_map_lock');
    yield 'zap_pte_range: ptep_get_and_clear';
    yield ptl.unlock('pte_unmap_unlock');
    yield 'unlink_anon_vmas: anon_vma_free';
    av.store('freed');
    yield 'tlb_finish_mmu: folio_remove_rmap';
    mapcount.store(0);
  });
  m.thread('reclaim', function* () {
    yield 'folio_mapped()';
    if (mapcount.load() === 0) return;
    yield 'folio_lock_anon_vma_read';
    if (av.load() !== 'live') bug('anon_vma use-after-free', 'down_read on a freed anon_vma');
  });
});

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('traceToSvg', () => {
  const cex = explore(race).counterexample as Counterexample;
  const svg = traceToSvg(cex, { id: 't1' });

  test('one lane per thread, one box per step, in global order', () => {
    expect(count(svg, /<rect class="lane"/g)).toBe(2);
    expect(count(svg, /<g data-step="/g)).toBe(cex.steps.length);
    const order = [...svg.matchAll(/<g data-step="(\d+)">/g)].map((m) => Number(m[1]));
    expect(order).toEqual(cex.steps.map((_, i) => i));
  });

  test('the violating step is outlined, and the check it broke is named', () => {
    const last = cex.steps.length - 1;
    expect(svg).toMatch(new RegExp(`<g data-step="${last}"><title>[^<]*</title><rect class="box bad"`));
    expect(count(svg, /class="box bad"/g)).toBe(1);
    expect(svg).toContain('✗ anon_vma use-after-free: down_read on a freed anon_vma');
  });

  test('lock-held spans and race arrows', () => {
    expect(count(svg, /<rect class="lock"/g)).toBe(1);
    expect(svg).toContain('<title>exit holds ptl</title>');
    const races = cex.steps.reduce((n, s) => n + s.racesWith.length, 0);
    expect(races).toBeGreaterThan(0);
    expect(count(svg, /<path class="race"/g)).toBe(races);
  });

  test('accessible: title, desc, and a table with a row per step', () => {
    expect(svg).toMatch(/role="img" aria-labelledby="t1-title t1-desc"/);
    expect(svg).toContain(
      `<title id="t1-title">Counterexample: &#39;anon_vma use-after-free&#39; violated</title>`,
    );
    expect(svg).toMatch(/<desc id="t1-desc">2 threads, \d+ steps, 1 preemption\(s\)\./);
    const table = traceToTable(cex);
    expect(count(table, /<tr><td>/g)).toBe(cex.steps.length);
  });

  test('text is escaped', () => {
    const odd = {
      ...cex,
      assertion: '<&>',
      steps: cex.steps.map((s) => ({ ...s, label: `${s.label} <x>` })),
    };
    const out = traceToSvg(odd);
    expect(out).not.toMatch(/<x>/);
    expect(out).toContain('&lt;x&gt;');
  });

  test('the current step (the slider) is marked', () => {
    expect(traceToSvg(cex, { current: 1 })).toMatch(
      /<g data-step="1"><title>[^<]*<\/title><rect class="box cur"/,
    );
  });

  test('a 3-thread, 40-step counterexample stays under 30 KiB', () => {
    const big = defineModel('forty', (m) => {
      const xs = [0, 1, 2].map((i) => m.cell(`x${i}`, 0));
      for (const t of [0, 1, 2])
        m.thread(`T${t}`, function* () {
          for (let i = 0; i < 13; i++) {
            yield `step ${i} of a kernel path`;
            xs[(t + i) % 3].store(i);
          }
        });
      m.final('never', () => false);
    });
    const r = explore(big, { strategy: 'random', runs: 1, seed: 3 });
    const c = r.counterexample as Counterexample;
    expect(c.steps.length).toBe(39);
    const bytes = new TextEncoder().encode(traceToSvg(c)).length;
    expect(bytes).toBeLessThan(30 * 1024);
  });
});
