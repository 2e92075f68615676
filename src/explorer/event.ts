/**
 * An executed step, as the search sees it: which thread, which label, what it touched.
 * Footprints are key ids from {@link Memory}; a step's lock effect is part of its footprint
 * (acquire and release write the mutex's key).
 */
export interface Ev {
  readonly tid: number;
  /** The value taken by a `choose` step, -1 for every other step. */
  readonly choice: number;
  readonly label: string;
  readonly reads: readonly number[];
  readonly writes: readonly number[];
  readonly adds: readonly number[];
  /** Step kind, for the lock race rule and for traces. */
  readonly kind: StepKind;
  /** For acquire/release: the mutex key. */
  readonly mutex: number;
  /** The mutex this step took (a blocking acquire, or a successful tryLock inside it), or -1. */
  readonly took: number;
  /** The mutex this step gave up (a release, or Mutex.release() inside it), or -1. */
  readonly released: number;
  /** An await that ran while its condition was false: the thread stopped (an assume that failed). */
  readonly failed: boolean;
  /** One bit per key (mod 32) of reads, writes, adds: a quick "certainly independent" test. */
  readonly rm: number;
  readonly wm: number;
  readonly am: number;
  /**
   * Its footprint here is not known: a racing step moved before the step whose write it read. It
   * reads another value there, and a step may do more than one access, so what it touches is
   * known only once it runs there (dpor.ts: source-DPOR's initials treat it so).
   */
  readonly unknown?: true;
}

/** The 32-bit summary of a key set. */
export function keyMask(keys: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < keys.length; i++) m |= 1 << (keys[i] & 31);
  return m;
}

export type StepKind = 'step' | 'acquire' | 'release' | 'await' | 'choose';

/** Two steps are dependent when they are of one thread, or touch a key and one of them writes it. */
export function dependent(a: Ev, b: Ev): boolean {
  if (a.tid === b.tid) return true;
  if (
    (a.wm & (b.rm | b.wm | b.am)) === 0 &&
    (b.wm & (a.rm | a.am)) === 0 &&
    (a.am & b.rm) === 0 &&
    (a.rm & b.am) === 0
  )
    return false;
  return (
    overlaps(a.writes, b.reads) ||
    overlaps(a.writes, b.writes) ||
    overlaps(a.writes, b.adds) ||
    overlaps(a.reads, b.writes) ||
    overlaps(a.adds, b.writes) ||
    overlaps(a.reads, b.adds) ||
    overlaps(a.adds, b.reads)
  );
}

function overlaps(x: readonly number[], y: readonly number[]): boolean {
  if (x.length === 0 || y.length === 0) return false;
  for (let i = 0; i < x.length; i++) {
    const k = x[i];
    for (let j = 0; j < y.length; j++) if (y[j] === k) return true;
  }
  return false;
}

/** Same step of the same thread (choices distinguish the branches of a `choose`). */
export function sameStep(a: Ev, b: Ev): boolean {
  return a.tid === b.tid && a.choice === b.choice;
}

export const NO_KEYS: readonly number[] = Object.freeze([]);

/** A placeholder for a step not yet executed: only thread and choice are known. */
export function pending(tid: number, choice: number): Ev {
  return {
    tid,
    choice,
    label: '',
    reads: NO_KEYS,
    writes: NO_KEYS,
    adds: NO_KEYS,
    kind: 'step',
    mutex: -1,
    took: -1,
    released: -1,
    failed: false,
    rm: 0,
    wm: 0,
    am: 0,
  };
}

/**
 * The step `later` as it would run moved before `earlier` (a reversed race). If it read a key
 * `earlier` writes, it reads another value there and may then touch other keys (`if (tlb) store`):
 * its footprint is marked unknown until it runs. A step that reads nothing `earlier` changed runs
 * the same.
 */
export function reversed(earlier: Ev, later: Ev): Ev {
  const changed = (keys: readonly number[]) => later.reads.some((k) => keys.includes(k));
  if (!changed(earlier.writes) && !changed(earlier.adds)) return later;
  return { ...later, unknown: true };
}
