import { describe, expect, test } from 'vitest';
import { defineModel, explore } from '../../src/explorer/index.ts';

/**
 * A racing step moved before the step it raced with may touch other keys there: W's store below
 * reads tlb and writes content only while tlb is still 1. Optimal DPOR once decided from W's
 * footprint as recorded after Z's flush (a read of tlb alone) that a reversal was covered, and
 * missed the one trace that loses the write (found with R19, the lost write of issue 11). Such a
 * model now runs source-DPOR; Optimal DPOR is kept for models that declare fixed footprints.
 */
const lostWrite = (fixedFootprints: boolean) =>
  defineModel('moved footprint', (m) => {
    m.options({ fixedFootprints });
    const mapped = m.cell('mapped', 1);
    const tlb = m.cell('tlb', 1);
    const content = m.cell('content', 1);
    const disk = m.cell('disk', 1);
    const dirty = m.cell('dirty', 1);
    const ref = m.cell('ref', 2);
    m.thread('Z', function* () {
      yield 'unmap';
      mapped.store(0);
      yield 'flush';
      tlb.store(0);
      yield 'unlock';
      yield 'put';
      ref.store(ref.load() - 1);
    });
    m.thread('B', function* () {
      yield 'get';
      ref.store(ref.load() + 1);
      yield 'lock';
      if (mapped.load() === 1) return;
      dirty.store(0);
      yield 'writeback';
      disk.store(content.load());
    });
    m.thread('W', function* () {
      yield 'store through the TLB';
      if (tlb.load() === 1) content.store(2);
    });
    m.final('no lost write', () => !(dirty.load() === 0 && content.load() !== disk.load()));
  });

describe('a racing step whose footprint depends on what it reads', () => {
  test.each(['optimal', 'source', 'naive'] as const)('%s finds the lost write', (strategy) => {
    const r = explore(lostWrite(false), { strategy });
    expect(r.verdict).toBe('breaks');
    expect(r.counterexample?.assertion).toBe('no lost write');
  });

  test("'optimal' runs source-DPOR for a model that does not declare fixed footprints", () => {
    expect(explore(lostWrite(false), { strategy: 'optimal' }).text).toContain('source-DPOR');
  });

  test('claiming fixed footprints for this model (a false claim) makes Optimal DPOR miss it', () => {
    // What fixedFootprints trusts, and proof that the tests above can fail.
    const r = explore(lostWrite(true), { strategy: 'optimal' });
    expect(r.text).toContain('optimal DPOR');
    expect(r.verdict).toBe('holds');
  });
});
