import { describe, expect, test } from 'vitest';
import type { Ev, StepKind } from '../../src/explorer/event.ts';
import { keyMask } from '../../src/explorer/event.ts';
import { defineModel, explore, type ThreadBody } from '../../src/explorer/index.ts';
import { EventLog, KEEP } from '../../src/explorer/log.ts';
import type { Arr } from '../../src/explorer/model.ts';

/** Issue 12: steps recorded flat, Ev objects built on demand past the first KEEP steps. */

function ev(i: number): Ev {
  const kinds: StepKind[] = ['step', 'acquire', 'release', 'await', 'choose'];
  const kind = kinds[i % 5];
  const reads = i % 3 === 0 ? [] : [i % 7, (i * 5) % 11];
  const writes = i % 4 === 0 ? [i % 13] : [];
  const adds = i % 6 === 0 ? [100 + (i % 3)] : [];
  return {
    tid: i % 4,
    choice: kind === 'choose' ? i % 3 : -1,
    label: `label ${i % 9}`,
    reads,
    writes,
    adds,
    kind,
    mutex: kind === 'acquire' || kind === 'release' ? 200 + (i % 2) : -1,
    took: kind === 'acquire' ? 200 + (i % 2) : -1,
    released: kind === 'release' ? 200 + (i % 2) : -1,
    failed: kind === 'await' && i % 2 === 0,
    rm: keyMask(reads),
    wm: keyMask(writes),
    am: keyMask(adds),
  };
}

describe('EventLog', () => {
  test('gives back every step as recorded, before and after KEEP, and after a cut', () => {
    const log = new EventLog();
    const n = KEEP + 3000;
    for (let i = 0; i < n; i++) log.push(ev(i));
    expect(log.length).toBe(n);
    for (let i = 0; i < n; i += 7) expect(log.at(i)).toEqual(ev(i));
    expect(log.at(n - 1)).toEqual(ev(n - 1));
    expect(log.at(-1)).toEqual(ev(n - 1));
    expect(log.at(n)).toBeUndefined();
    // Built steps are cached until the log is cut below them; after a cut, new steps replace them.
    expect(log.at(KEEP + 10)).toBe(log.at(KEEP + 10));
    log.truncate(KEEP + 5);
    for (let i = KEEP + 5; i < n; i++) log.push(ev(i + 1));
    expect(log.at(KEEP + 4)).toEqual(ev(KEEP + 4));
    expect(log.at(KEEP + 10)).toEqual(ev(KEEP + 11));
    expect(log.labelAt(KEEP + 10)).toBe(ev(KEEP + 11).label);
    expect(log.slice(KEEP + 5, KEEP + 8)).toEqual([ev(KEEP + 6), ev(KEEP + 7), ev(KEEP + 8)]);
    expect(log.tid[KEEP + 6]).toBe(ev(KEEP + 7).tid);
  });
});

/** T0 makes `own` steps on its own cell, then publishes; T1 reads and writes the shared cell. */
function late(own: number) {
  function* long(mine: Arr<number>, x: Arr<number>): ThreadBody {
    for (let k = 0; k < own; k++) {
      yield 'own';
      mine.store(0, mine.load(0) + 1);
    }
    yield 'publish';
    x.store(0, 1);
  }
  function* other(x: Arr<number>, seen: Arr<number>): ThreadBody {
    yield 'read';
    const v = x.load(0);
    yield 'write';
    x.store(0, v + 2);
    seen.store(0, v);
  }
  return defineModel(`late(${own})`, (m) => {
    const mine = m.array('mine', 1, 0);
    const x = m.array('x', 1, 0);
    const seen = m.array('seen', 1, -1);
    m.thread('T0', () => long(mine, x));
    m.thread('T1', () => other(x, seen));
    m.final('T1 saw the publication', () => seen.load(0) === 1);
  });
}

test('races past the first KEEP steps are reversed as before them (steps built from the log)', () => {
  const short = late(10);
  const naive = explore(short, { strategy: 'naive', countTraces: true, minimize: false });
  const far = late(KEEP + 500);
  for (const strategy of ['optimal', 'source'] as const) {
    const s = explore(short, { strategy, minimize: false });
    expect(s.counts.traces).toBe(naive.counts.traces);
    expect(s.finalStateHashes).toEqual(naive.finalStateHashes);
    const f = explore(far, { strategy, maxSteps: KEEP + 600, minimize: false });
    expect(f.counts.traces).toBe(naive.counts.traces);
    expect(f.counts.finalStates).toBe(naive.counts.finalStates);
    expect(f.counts.replayedSteps).toBeGreaterThan(KEEP);
    // The counterexample (T1 ran before the publication) is built from the log and replays.
    expect(f.verdict).toBe('breaks');
    const cex = f.checks['T1 saw the publication'].counterexample;
    expect(cex?.steps.length).toBeGreaterThan(KEEP);
    const again = explore(far, { strategy: 'replay', schedule: cex?.schedule, maxSteps: KEEP + 600 });
    expect(again.verdict).toBe('breaks');
  }
});
