import type { Ev } from './event.ts';

/**
 * Happens-before of the current execution, by vector clocks, and its races.
 *
 * e happens before e' when a chain of dependent steps leads from e to e'. A race e ⋖ e' is a pair of
 * dependent steps of different threads with nothing in between: e → e' and no e'' with e → e'' → e'.
 * Per key we keep the last write, the reads since it and the commutative adds since it: every step
 * that conflicts with a new step and is not already ordered through another is among those.
 *
 * Lock races follow explorer.md §4.8: a release(m) → acquire(m) race is moved to the acquire that
 * began the released critical section, so reversing it moves the whole critical section.
 */
export class HappensBefore {
  private T: number;
  private clocks: Int32Array;
  tidOf: number[] = [];
  localOf: number[] = [];
  events: Ev[] = [];
  /** For a release event: the index of its acquire. -1 otherwise. */
  pairOf: number[] = [];
  private lastOfThread: Int32Array;
  private countOfThread: Int32Array;
  private lastW: Int32Array = new Int32Array(0);
  private readsSince: number[][] = [];
  private addsSince: number[][] = [];
  private acqOf: Int32Array = new Int32Array(0);
  private scratch: number[] = [];

  constructor(nThreads: number) {
    this.T = nThreads;
    this.clocks = new Int32Array(nThreads * 256);
    this.lastOfThread = new Int32Array(nThreads);
    this.countOfThread = new Int32Array(nThreads);
  }

  reset(nKeys: number): void {
    this.events.length = 0;
    this.tidOf.length = 0;
    this.localOf.length = 0;
    this.pairOf.length = 0;
    this.lastOfThread.fill(-1);
    this.countOfThread.fill(0);
    if (this.lastW.length < nKeys) {
      this.lastW = new Int32Array(Math.max(nKeys, this.lastW.length * 2));
      this.acqOf = new Int32Array(this.lastW.length);
    }
    this.lastW.fill(-1);
    this.acqOf.fill(-1);
    for (let k = 0; k < this.readsSince.length; k++) {
      this.readsSince[k].length = 0;
      this.addsSince[k].length = 0;
    }
  }

  get length(): number {
    return this.events.length;
  }

  /** Does event i happen before event j (i < j)? */
  hb(i: number, j: number): boolean {
    return this.clocks[j * this.T + this.tidOf[i]] >= this.localOf[i];
  }

  /** Does event i happen before a clock given as a row offset? */
  private hbRow(i: number, row: Int32Array, off: number): boolean {
    return row[off + this.tidOf[i]] >= this.localOf[i];
  }

  private ensureKeys(k: number): void {
    if (k < this.lastW.length && k < this.readsSince.length) return;
    if (k >= this.lastW.length) {
      const n = Math.max(k + 1, this.lastW.length * 2);
      const a = new Int32Array(n).fill(-1);
      a.set(this.lastW);
      this.lastW = a;
      const b = new Int32Array(n).fill(-1);
      b.set(this.acqOf);
      this.acqOf = b;
    }
    while (this.readsSince.length <= k) {
      this.readsSince.push([]);
      this.addsSince.push([]);
    }
  }

  /** The steps a new event conflicts with (direct predecessors by footprint), into `this.scratch`. */
  private dependees(ev: Ev): number[] {
    const out = this.scratch;
    out.length = 0;
    const push = (i: number) => {
      if (i >= 0 && !out.includes(i)) out.push(i);
    };
    for (const k of ev.writes) {
      this.ensureKeys(k);
      push(this.lastW[k]);
      for (const i of this.readsSince[k]) push(i);
      for (const i of this.addsSince[k]) push(i);
    }
    for (const k of ev.reads) {
      this.ensureKeys(k);
      push(this.lastW[k]);
      for (const i of this.addsSince[k]) push(i);
    }
    for (const k of ev.adds) {
      this.ensureKeys(k);
      push(this.lastW[k]);
      for (const i of this.readsSince[k]) push(i);
    }
    return out;
  }

  /**
   * Append an event. If `races` is given, the indices of the events it races with are pushed to it
   * (lock races already moved to the acquire).
   */
  append(ev: Ev, races: number[] | null): void {
    const idx = this.events.length;
    const T = this.T;
    if ((idx + 1) * T > this.clocks.length) {
      const c = new Int32Array(this.clocks.length * 2);
      c.set(this.clocks);
      this.clocks = c;
    }
    const deps = this.dependees(ev);
    const prev = this.lastOfThread[ev.tid];
    if (races !== null) this.findRaces(ev, deps, prev, this.clocks, prev * T, races);
    const base = idx * T;
    const c = this.clocks;
    if (prev >= 0) c.copyWithin(base, prev * T, prev * T + T);
    else c.fill(0, base, base + T);
    for (const d of deps) {
      const db = d * T;
      for (let t = 0; t < T; t++) if (c[db + t] > c[base + t]) c[base + t] = c[db + t];
    }
    const local = ++this.countOfThread[ev.tid];
    c[base + ev.tid] = local;
    this.events.push(ev);
    this.tidOf.push(ev.tid);
    this.localOf.push(local);
    this.lastOfThread[ev.tid] = idx;
    // Update the per-key access tables.
    for (const k of ev.writes) {
      this.lastW[k] = idx;
      this.readsSince[k].length = 0;
      this.addsSince[k].length = 0;
    }
    for (const k of ev.reads) if (!ev.writes.includes(k)) this.readsSince[k].push(idx);
    for (const k of ev.adds) if (!ev.writes.includes(k)) this.addsSince[k].push(idx);
    let pair = -1;
    if (ev.kind === 'acquire') this.acqOf[ev.mutex] = idx;
    else if (ev.kind === 'release') pair = this.acqOf[ev.mutex];
    this.pairOf.push(pair);
  }

  /** Races of a step that is not appended (a blocked thread's pending step at a deadlock). */
  racesOfPending(ev: Ev, races: number[]): void {
    const deps = this.dependees(ev);
    const prev = this.lastOfThread[ev.tid];
    this.findRaces(ev, deps, prev, this.clocks, prev * this.T, races);
  }

  private findRaces(
    ev: Ev,
    deps: number[],
    prev: number,
    c: Int32Array,
    prevOff: number,
    races: number[],
  ): void {
    for (const d of deps) {
      if (this.tidOf[d] === ev.tid) continue;
      if (prev >= 0 && this.hbRow(d, c, prevOff)) continue;
      let immediate = true;
      for (const o of deps) if (o !== d && this.hb(d, o)) immediate = false;
      if (!immediate) continue;
      let e = d;
      // release(m) -> acquire(m): the reversal that exists is acquire-before-acquire.
      if (ev.kind === 'acquire' && this.events[d].kind === 'release' && this.events[d].mutex === ev.mutex) {
        e = this.pairOf[d];
        if (e < 0 || (prev >= 0 && this.hbRow(e, c, prevOff))) continue;
      }
      if (!races.includes(e)) races.push(e);
    }
  }

  /** notdep(e, E): the events after e that do not happen after it, in order. */
  notDep(e: number, end: number): number[] {
    const out: number[] = [];
    for (let x = e + 1; x < end; x++) if (!this.hb(e, x)) out.push(x);
    return out;
  }
}
