import { type Ev, keyMask, type StepKind } from './event.ts';
import { SparseRows } from './sparse.ts';
import { grown } from './typed.ts';

/**
 * The steps of the current execution, stored flat (issue 12, "flat memory per step"): thread,
 * choice, label, kind and lock effects in typed arrays, footprints as runs of one key pool. About
 * 34 bytes a step with two keys, where an {@link Ev} object with its footprint arrays costs ~300.
 *
 * `at(i)` gives a step as an Ev. The Ev objects of the first {@link KEEP} steps are kept as they
 * were recorded (short executions, the DPOR classics and the rule scenarios, never build one
 * twice); later ones are built on demand, cached until the log is cut below them. Only race
 * reversals, sleep sets and counterexamples ask for them, so a long execution keeps few.
 *
 * Its shape is an array's (`length`, `at`, `slice`): searches hand it to whatever takes steps.
 */
export interface EventSeq {
  readonly length: number;
  at(i: number): Ev | undefined;
  slice(start?: number, end?: number): Ev[];
}

const KINDS: readonly StepKind[] = ['step', 'acquire', 'release', 'await', 'choose'];
const KIND_CODE: Record<StepKind, number> = { step: 0, acquire: 1, release: 2, await: 3, choose: 4 };

/** Steps whose Ev objects are kept as recorded. */
export const KEEP = 4096;

export class EventLog implements EventSeq {
  length = 0;
  private cap = 0;
  tid = new Int32Array(0);
  choice = new Int32Array(0);
  private labelId = new Int32Array(0);
  private kind = new Uint8Array(0);
  private failed = new Uint8Array(0);
  /** Lock effects (mutex, took, released) of the steps that have one: most steps have none. */
  private locks = new SparseRows(3);
  /** off[3i], off[3i+1], off[3i+2]: where step i's reads, writes, adds start in `keys`; off[3i+3] ends them. */
  private off = new Int32Array(1);
  private keys = new Int32Array(64);
  private readonly labels: string[] = [];
  private readonly labelIds = new Map<string, number>();
  private readonly kept: Ev[] = [];
  private readonly built = new Map<number, Ev>();

  constructor() {
    this.grow(64);
  }

  private grow(n: number): void {
    // Grown by half: a long execution's log is most of its memory.
    const cap = Math.max(n, this.cap + (this.cap >> 1));
    const len = this.length;
    this.tid = grown(this.tid.subarray(0, len), cap);
    this.choice = grown(this.choice.subarray(0, len), cap);
    this.labelId = grown(this.labelId.subarray(0, len), cap);
    this.kind = grown(this.kind.subarray(0, len), cap);
    this.failed = grown(this.failed.subarray(0, len), cap);
    this.off = grown(this.off.subarray(0, 3 * len + 1), 3 * cap + 1);
    this.cap = cap;
  }

  private intern(label: string): number {
    let id = this.labelIds.get(label);
    if (id === undefined) {
      id = this.labels.length;
      this.labels.push(label);
      this.labelIds.set(label, id);
    }
    return id;
  }

  push(ev: Ev): void {
    const i = this.length;
    if (i === this.cap) this.grow(i + 1);
    this.tid[i] = ev.tid;
    this.choice[i] = ev.choice;
    this.labelId[i] = this.intern(ev.label);
    this.kind[i] = KIND_CODE[ev.kind];
    this.failed[i] = ev.failed ? 1 : 0;
    if (ev.mutex >= 0 || ev.took >= 0 || ev.released >= 0) this.locks.push(i, ev.mutex, ev.took, ev.released);
    const off = this.off;
    let k = off[3 * i];
    const need = k + ev.reads.length + ev.writes.length + ev.adds.length;
    if (need > this.keys.length) {
      this.keys = grown(this.keys.subarray(0, k), Math.max(need, this.keys.length + (this.keys.length >> 1)));
    }
    const keys = this.keys;
    for (const x of ev.reads) keys[k++] = x;
    off[3 * i + 1] = k;
    for (const x of ev.writes) keys[k++] = x;
    off[3 * i + 2] = k;
    for (const x of ev.adds) keys[k++] = x;
    off[3 * i + 3] = k;
    if (i < KEEP) this.kept[i] = ev;
    this.length = i + 1;
  }

  /** Keep the first n steps. */
  truncate(n: number): void {
    if (n >= this.length) return;
    this.length = n;
    // `kept` keeps its room (entries past `length` are never read, and overwritten as steps come):
    // shortening an array gives its room back, to be grown again by the next execution.
    if (this.built.size > 0) for (const i of this.built.keys()) if (i >= n) this.built.delete(i);
    this.locks.truncate(n);
  }

  labelAt(i: number): string {
    return this.labels[this.labelId[i]];
  }

  /** Step i as an Ev (the recorded object, or one built from the log and cached). */
  at(i: number): Ev | undefined {
    if (i < 0) i += this.length;
    if (!(i >= 0 && i < this.length)) return undefined;
    if (i < KEEP) return this.kept[i];
    let ev = this.built.get(i);
    if (ev === undefined) {
      const o = 3 * i;
      const off = this.off;
      const keys = this.keys;
      const lk = this.locks.find(i);
      const run = (a: number, b: number) => Array.from(keys.subarray(off[a], off[b]));
      const reads = run(o, o + 1);
      const writes = run(o + 1, o + 2);
      const adds = run(o + 2, o + 3);
      ev = {
        tid: this.tid[i],
        choice: this.choice[i],
        label: this.labelAt(i),
        reads,
        writes,
        adds,
        kind: KINDS[this.kind[i]],
        mutex: lk < 0 ? -1 : this.locks.get(lk, 0),
        took: lk < 0 ? -1 : this.locks.get(lk, 1),
        released: lk < 0 ? -1 : this.locks.get(lk, 2),
        failed: this.failed[i] === 1,
        rm: keyMask(reads),
        wm: keyMask(writes),
        am: keyMask(adds),
      };
      this.built.set(i, ev);
    }
    return ev;
  }

  /** Steps start..end-1 as Ev objects (for counterexamples and witnesses). */
  slice(start = 0, end = this.length): Ev[] {
    const out: Ev[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) out.push(this.at(i) as Ev);
    return out;
  }

  /** Does step j write or add a key in step i's reads? (An await's retry condition.) */
  writesReadOf(j: number, i: number): boolean {
    const off = this.off;
    const keys = this.keys;
    for (let a = off[3 * i]; a < off[3 * i + 1]; a++)
      for (let b = off[3 * j + 1]; b < off[3 * j + 3]; b++) if (keys[a] === keys[b]) return true;
    return false;
  }
}
