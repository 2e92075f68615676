import type { Ev } from './event.ts';
import { SparseRows } from './sparse.ts';
import { grown } from './typed.ts';

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
const W = 0;
const R = 1;
const A = 2;
const Q = 3;

export class HappensBefore {
  private T: number;
  private clocks: Int32Array;
  /**
   * Per event (flat, issue 12): its thread (its index in that thread is its own clock entry), the
   * previous event of its thread,
   */
  private tidOf = new Int32Array(64);
  private prevOf = new Int32Array(64);
  /** for an event that gave up a mutex: the mutex, and the index of the step that took it (or -1), */
  private releases = new SparseRows(2);
  /** and where its records in the undo log start. */
  private undoStart = new Int32Array(64);
  private n = 0;
  private lastOfThread: Int32Array;
  private countOfThread: Int32Array;
  private lastW: Int32Array = new Int32Array(0);
  private readsSince: number[][] = [];
  private addsSince: number[][] = [];
  private acqOf: Int32Array = new Int32Array(0);
  /** Per-key tables are reset lazily: a key whose epoch is old is treated as untouched. */
  private keyEpoch: Int32Array = new Int32Array(0);
  private epoch = 0;
  /**
   * Undo log of the per-key tables, so the search can rewind to the prefix it replays instead of
   * recomputing it: per record a kind, a key, an old index and (for a write that cleared them) the
   * index of the cleared reads/adds lists in `saved`.
   */
  private uKind = new Uint8Array(64);
  private uKey = new Int32Array(64);
  private uOld = new Int32Array(64);
  private uSaved = new Int32Array(64);
  private nu = 0;
  private saved: Array<[number[] | null, number[] | null]> = [];
  private nSaved = 0;

  constructor(nThreads: number) {
    this.T = nThreads;
    this.clocks = new Int32Array(nThreads * 256);
    this.lastOfThread = new Int32Array(nThreads);
    this.countOfThread = new Int32Array(nThreads);
  }

  reset(nKeys: number): void {
    this.n = 0;
    this.nu = 0;
    this.nSaved = 0;
    this.releases.clear();
    this.lastOfThread.fill(-1);
    this.countOfThread.fill(0);
    this.epoch++;
    if (nKeys > 0) this.ensureKeys(nKeys - 1);
  }

  get length(): number {
    return this.n;
  }

  /** Event i's index among its thread's events, from 1. */
  local(i: number): number {
    return this.clocks[i * this.T + this.tidOf[i]];
  }

  /** Does event i happen before event j (i < j)? */
  hb(i: number, j: number): boolean {
    const t = this.tidOf[i];
    return this.clocks[j * this.T + t] >= this.clocks[i * this.T + t];
  }

  /** Does event i happen before a clock given as a row offset? */
  private hbRow(i: number, row: Int32Array, off: number): boolean {
    const t = this.tidOf[i];
    return row[off + t] >= this.clocks[i * this.T + t];
  }

  /** Make key k's tables exist and belong to this execution. */
  private ensureKeys(k: number): void {
    if (k >= this.lastW.length) {
      const n = Math.max(k + 1, this.lastW.length * 2, 64);
      this.lastW = grown(this.lastW, n);
      this.acqOf = grown(this.acqOf, n);
      this.keyEpoch = grown(this.keyEpoch, n);
      while (this.readsSince.length < n) {
        this.readsSince.push([]);
        this.addsSince.push([]);
      }
    }
    if (this.keyEpoch[k] !== this.epoch) {
      this.keyEpoch[k] = this.epoch;
      this.lastW[k] = -1;
      this.acqOf[k] = -1;
      this.readsSince[k].length = 0;
      this.addsSince[k].length = 0;
    }
  }

  /** The steps a new event conflicts with (direct predecessors by footprint). */
  private readonly deps = new IndexList();
  private addDeps(xs: number[]): void {
    for (let j = 0; j < xs.length; j++) this.deps.add(xs[j]);
  }

  private dependees(ev: Ev): void {
    this.deps.clear();
    const w = ev.writes;
    for (let i = 0; i < w.length; i++) {
      const k = w[i];
      this.ensureKeys(k);
      this.deps.add(this.lastW[k]);
      this.addDeps(this.readsSince[k]);
      this.addDeps(this.addsSince[k]);
    }
    const r = ev.reads;
    for (let i = 0; i < r.length; i++) {
      const k = r[i];
      this.ensureKeys(k);
      this.deps.add(this.lastW[k]);
      this.addDeps(this.addsSince[k]);
    }
    const a = ev.adds;
    for (let i = 0; i < a.length; i++) {
      const k = a[i];
      this.ensureKeys(k);
      this.deps.add(this.lastW[k]);
      this.addDeps(this.readsSince[k]);
    }
  }

  /** The races found by the last `append` or `racesOfPending`: race(0..count-1). */
  private readonly races = new IndexList();
  race(k: number): number {
    return this.races.at(k);
  }

  private growEvents(): void {
    const n = this.tidOf.length + (this.tidOf.length >> 1);
    this.tidOf = grown(this.tidOf, n);
    this.prevOf = grown(this.prevOf, n);
    this.undoStart = grown(this.undoStart, n);
  }

  /**
   * Append an event. With `withRaces`, find the events it races with (lock races already moved
   * to the acquire): returns their count, each read with race(k).
   */
  append(ev: Ev, withRaces: boolean): number {
    const idx = this.n;
    const T = this.T;
    if ((idx + 1) * T > this.clocks.length) {
      const c = new Int32Array(Math.max((idx + 1) * T, this.clocks.length + (this.clocks.length >> 1)));
      c.set(this.clocks);
      this.clocks = c;
    }
    if (idx === this.tidOf.length) this.growEvents();
    this.dependees(ev);
    const deps = this.deps.items;
    const nDeps = this.deps.length;
    const prev = this.lastOfThread[ev.tid];
    this.races.clear();
    if (withRaces) this.findRaces(ev, prev, this.clocks, prev * T);
    const base = idx * T;
    const c = this.clocks;
    // By hand: copyWithin and fill cost a call into the runtime, too much for a dozen entries.
    if (prev >= 0) for (let t = 0, pb = prev * T; t < T; t++) c[base + t] = c[pb + t];
    else for (let t = 0; t < T; t++) c[base + t] = 0;
    for (let i = 0; i < nDeps; i++) {
      const db = deps[i] * T;
      for (let t = 0; t < T; t++) {
        const x = c[db + t];
        if (x > c[base + t]) c[base + t] = x;
      }
    }
    const local = ++this.countOfThread[ev.tid];
    c[base + ev.tid] = local;
    this.n = idx + 1;
    this.tidOf[idx] = ev.tid;
    this.prevOf[idx] = prev;
    this.lastOfThread[ev.tid] = idx;
    this.undoStart[idx] = this.nu;
    // Update the per-key access tables, logging what is needed to undo it.
    for (const k of ev.writes) {
      const rs = this.readsSince[k];
      const as = this.addsSince[k];
      let sv = -1;
      if (rs.length > 0 || as.length > 0) {
        sv = this.nSaved++;
        this.saved[sv] = [rs.length > 0 ? rs : null, as.length > 0 ? as : null];
      }
      this.log(W, k, this.lastW[k], sv);
      this.lastW[k] = idx;
      if (rs.length > 0) this.readsSince[k] = [];
      if (as.length > 0) this.addsSince[k] = [];
    }
    for (const k of ev.reads)
      if (!ev.writes.includes(k)) {
        this.readsSince[k].push(idx);
        this.log(R, k, -1, -1);
      }
    for (const k of ev.adds)
      if (!ev.writes.includes(k)) {
        this.addsSince[k].push(idx);
        this.log(A, k, -1, -1);
      }
    let pair = -1;
    if (ev.released >= 0) {
      this.ensureKeys(ev.released);
      pair = this.acqOf[ev.released];
    }
    if (ev.took >= 0) {
      this.ensureKeys(ev.took);
      this.log(Q, ev.took, this.acqOf[ev.took], -1);
      this.acqOf[ev.took] = idx;
    }
    if (ev.released >= 0) this.releases.push(idx, ev.released, pair);
    return this.races.length;
  }

  private log(kind: number, k: number, old: number, saved: number): void {
    const u = this.nu;
    if (u === this.uKind.length) {
      const n = u + (u >> 1);
      this.uKind = grown(this.uKind, n);
      this.uKey = grown(this.uKey, n);
      this.uOld = grown(this.uOld, n);
      this.uSaved = grown(this.uSaved, n);
    }
    this.uKind[u] = kind;
    this.uKey[u] = k;
    this.uOld[u] = old;
    this.uSaved[u] = saved;
    this.nu = u + 1;
  }

  /** Rewind to the first n events: the state after appending exactly those. */
  truncate(n: number): void {
    for (let i = this.n - 1; i >= n; i--) {
      const start = this.undoStart[i];
      for (let u = this.nu - 1; u >= start; u--) {
        const k = this.uKey[u];
        switch (this.uKind[u]) {
          case W: {
            this.lastW[k] = this.uOld[u];
            const sv = this.uSaved[u];
            if (sv >= 0) {
              const [rs, as] = this.saved[sv];
              if (rs !== null) this.readsSince[k] = rs;
              if (as !== null) this.addsSince[k] = as;
              this.nSaved = sv;
            }
            break;
          }
          case R:
            this.readsSince[k].pop();
            break;
          case A:
            this.addsSince[k].pop();
            break;
          case Q:
            this.acqOf[k] = this.uOld[u];
            break;
        }
      }
      this.nu = start;
      const t = this.tidOf[i];
      this.lastOfThread[t] = this.prevOf[i];
      this.countOfThread[t]--;
    }
    if (n < this.n) this.n = n;
    this.releases.truncate(n);
  }

  /** Races of a step that is not appended (a blocked thread's pending step at a deadlock): their count. */
  racesOfPending(ev: Ev): number {
    this.dependees(ev);
    const prev = this.lastOfThread[ev.tid];
    this.races.clear();
    this.findRaces(ev, prev, this.clocks, prev * this.T);
    return this.races.length;
  }

  private findRaces(ev: Ev, prev: number, c: Int32Array, prevOff: number): void {
    const deps = this.deps.items;
    const n = this.deps.length;
    for (let x = 0; x < n; x++) {
      const d = deps[x];
      if (this.tidOf[d] === ev.tid) continue;
      if (prev >= 0 && this.hbRow(d, c, prevOff)) continue;
      let immediate = true;
      for (let y = 0; y < n && immediate; y++) if (y !== x && this.hb(d, deps[y])) immediate = false;
      if (!immediate) continue;
      let e = d;
      // release(m) -> acquire(m): a blocking acquire cannot run before the release, so the
      // reversal that exists is this acquire before the step that took m (an acquire or a tryLock).
      const rel = ev.kind === 'acquire' ? this.releases.find(d) : -1;
      if (rel >= 0 && this.releases.get(rel, 0) === ev.mutex) {
        e = this.releases.get(rel, 1);
        if (e < 0 || (prev >= 0 && this.hbRow(e, c, prevOff))) continue;
      }
      this.races.add(e);
    }
  }

  /** notdep(e, E): the events after e (before `end`) that do not happen after it, in order: nd(0..count-1). */
  notDep(e: number, end: number): number {
    const c = this.clocks;
    const T = this.T;
    const te = this.tidOf[e];
    const le = c[e * T + te];
    if (this.ndBuf.length < end - e) this.ndBuf = new Int32Array(2 * (end - e));
    const out = this.ndBuf;
    let n = 0;
    for (let x = e + 1; x < end; x++) if (c[x * T + te] < le) out[n++] = x;
    return n;
  }
  private ndBuf = new Int32Array(64);
  nd(k: number): number {
    return this.ndBuf[k];
  }
}

/**
 * A list of distinct step indices, in the order added, in a typed array that keeps its room from
 * one step to the next (`array.length = 0` would give it back every time). Negative indices
 * (no step) are ignored.
 */
class IndexList {
  items = new Int32Array(16);
  length = 0;
  clear(): void {
    this.length = 0;
  }
  at(k: number): number {
    return this.items[k];
  }
  add(i: number): void {
    if (i < 0) return;
    const items = this.items;
    const n = this.length;
    for (let j = 0; j < n; j++) if (items[j] === i) return;
    if (n === items.length) this.items = grown(items, 2 * n);
    this.items[n] = i;
    this.length = n + 1;
  }
}
