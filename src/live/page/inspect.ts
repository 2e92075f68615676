/**
 * The state inspector's data (pure, no DOM): what the objects a step touched look like after it.
 * A counterexample records each step's footprint (reads, writes) and world diff (changes with
 * before/after); keys are `object.field` (`folio#1.mapcount.ptes`, `pt#A.pte[0]`,
 * `anon_vma#A.refcount`, `memcg#1.usage`). A field's value after step i is the `after` of its last
 * change at or before i, else the `before` of its first change after i (it had that value all
 * along), or the value a step read from it (`readValues`).
 */
import type { Counterexample, TraceStep } from '../../explorer/index.ts';

export interface FieldState {
  key: string;
  field: string;
  /** Whether the trace records this field's value (it changes somewhere in the trace). */
  known: boolean;
  value?: unknown;
  /** Changed by this step: the value before it. */
  changed: boolean;
  before?: unknown;
  read: boolean;
  written: boolean;
}

export interface ObjectState {
  object: string;
  fields: FieldState[];
}

/**
 * `folio#1.mapcount.ptes` → [`folio#1`, `mapcount.ptes`]; `folio#T2.1.lock` → [`folio#T2.1`,
 * `lock`] (a field starts with a letter; an id may contain dotted numbers); no field: its own object.
 */
export function splitKey(key: string): [string, string] {
  const m = /^(.*?)\.(?=[A-Za-z_])(.*)$/.exec(key);
  return m ? [m[1], m[2]] : [key, ''];
}

function valueAfter(
  steps: readonly TraceStep[],
  key: string,
  i: number,
): { known: boolean; value?: unknown } {
  // The nearest step that saw the field: a change (its after, or before if it comes later) or a
  // read (the value read is the value between the last change and that step).
  for (let j = i; j >= 0; j--) {
    const c = steps[j].changes.find((c) => c.key === key);
    if (c) return { known: true, value: c.after };
    const rv = steps[j].readValues;
    if (rv && key in rv) return { known: true, value: rv[key] };
  }
  for (let j = i + 1; j < steps.length; j++) {
    const rv = steps[j].readValues;
    if (rv && key in rv) return { known: true, value: rv[key] };
    const c = steps[j].changes.find((c) => c.key === key);
    if (c) return { known: true, value: c.before };
  }
  return { known: false };
}

/** The objects step `i` read, wrote or changed, every field of theirs the trace mentions, after step i. */
export function stateAt(cex: Counterexample, i: number): ObjectState[] {
  const step = cex.steps[i];
  if (!step) throw new RangeError(`no step #${i} (the trace has ${cex.steps.length})`);
  const touched: string[] = [];
  const add = (k: string) => {
    const o = splitKey(k)[0];
    if (!touched.includes(o)) touched.push(o);
  };
  for (const c of step.changes) add(c.key);
  for (const k of step.writes) add(k);
  for (const k of step.reads) add(k);
  // Every key of those objects anywhere in the trace, in order of first mention.
  const keys: string[] = [];
  for (const s of cex.steps)
    for (const k of [...s.changes.map((c) => c.key), ...s.writes, ...s.reads])
      if (!keys.includes(k) && touched.includes(splitKey(k)[0])) keys.push(k);
  return touched.map((object) => ({
    object,
    fields: keys
      .filter((k) => splitKey(k)[0] === object)
      .map((key) => {
        const change = step.changes.find((c) => c.key === key);
        return {
          key,
          field: splitKey(key)[1],
          ...valueAfter(cex.steps, key, i),
          changed: change !== undefined,
          ...(change ? { before: change.before } : {}),
          read: step.reads.includes(key),
          written: step.writes.includes(key),
        };
      }),
  }));
}

export function showValue(v: unknown): string {
  if (v === undefined) return '∅';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
