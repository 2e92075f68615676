/**
 * A trace Optimal DPOR misses (found with R19, 2026-11-30; not a test yet, so the tree stays
 * green): source-DPOR and naive enumeration break the final check, `optimal` says "holds:
 * exhaustive (6 executions)". Thread order matters: Z, B, W misses it; B, Z, W finds it. The
 * violating trace is Z:L, B:get, B:lk, B:io, W:store, Z:flush, Z:U, Z:put. Removing the `ref`
 * cell (B's get races with Z's put) makes optimal find it. The explorer of wt-i12-explorer
 * (d42938c) misses it too. Run: npx tsx spec-tests/explorer/optimal-dpor-miss.repro.ts
 */
import { defineModel, explore } from '../../src/explorer/index.ts';

const m = defineModel('optimal DPOR miss', (m) => {
  const mapped = m.cell('mapped', 1);
  const tlb = m.cell('tlb', 1);
  const content = m.cell('content', 1);
  const disk = m.cell('disk', 1);
  const dirty = m.cell('dirty', 1);
  const ref = m.cell('ref', 2);
  m.thread('Z', function* () {
    yield 'L';
    mapped.store(0);
    yield 'flush';
    tlb.store(0);
    yield 'U';
    yield 'put';
    ref.store(ref.load() - 1);
  });
  m.thread('B', function* () {
    yield 'get';
    ref.store(ref.load() + 1);
    yield 'lk';
    if (mapped.load() === 1) return;
    dirty.store(0);
    yield 'io';
    disk.store(content.load());
  });
  m.thread('W', function* () {
    yield 'store';
    if (tlb.load() === 1) content.store(2);
  });
  m.final('lost', () => !(dirty.load() === 0 && content.load() !== disk.load()));
});

for (const strategy of ['optimal', 'source', 'naive'] as const)
  console.log(strategy, explore(m, { strategy }).text);
