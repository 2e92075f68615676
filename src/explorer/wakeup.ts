import { dependent, type Ev } from './event.ts';
import { grown } from './typed.ts';

/**
 * Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, JACM 64(4) 2017, §6): at each node of the
 * search, the sequences still to explore from there, as an ordered tree. Children are in ≺ order
 * (insertion order); the first child is the branch being explored.
 *
 * The trees can hold about one node per trace still to run (readers(N)), so their nodes live in
 * a pool of typed arrays: per node its step (an id in the pool's table of steps), its first child
 * and its next sibling, 12 bytes; freed nodes are reused.
 */
export type WNode = number;
export const NIL = -1;

export class WakeupPool {
  private evOf = new Int32Array(1024);
  /** First child and next sibling of each node (NIL when none). */
  child = new Int32Array(1024);
  next = new Int32Array(1024);
  private used = 0;
  private freeList = NIL;
  /** Nodes in use. */
  live = 0;
  /** The steps nodes stand for, by id (shared Ev objects: few distinct ones). */
  private readonly evs: Ev[] = [];
  private readonly ids = new Map<Ev, number>();

  ev(n: WNode): Ev {
    return this.evs[this.evOf[n]];
  }

  private idOf(e: Ev): number {
    let id = this.ids.get(e);
    if (id === undefined) {
      id = this.evs.length;
      this.evs.push(e);
      this.ids.set(e, id);
    }
    return id;
  }

  node(e: Ev, child: WNode, next: WNode): WNode {
    let n = this.freeList;
    if (n !== NIL) this.freeList = this.next[n];
    else {
      n = this.used++;
      if (n === this.child.length) {
        const size = n + (n >> 1);
        this.evOf = grown(this.evOf, size);
        this.child = grown(this.child, size);
        this.next = grown(this.next, size);
      }
    }
    this.evOf[n] = this.idOf(e);
    this.child[n] = child;
    this.next[n] = next;
    this.live++;
    return n;
  }

  /** Give node n back (not its children). */
  release(n: WNode): void {
    this.next[n] = this.freeList;
    this.freeList = n;
    this.live--;
  }

  /** Give node n and its subtree back; returns how many nodes that was. */
  releaseTree(n: WNode): number {
    let k = 0;
    for (let c = this.child[n]; c !== NIL; ) {
      const after = this.next[c];
      k += this.releaseTree(c);
      c = after;
    }
    this.release(n);
    return k + 1;
  }

  /** The children of a node, in order. */
  childrenOf(n: WNode): WNode[] {
    const out: WNode[] = [];
    for (let c = this.child[n]; c !== NIL; c = this.next[c]) out.push(c);
    return out;
  }

  /** Add c as the last child of n. */
  append(n: WNode, c: WNode): void {
    let last = this.child[n];
    if (last === NIL) {
      this.child[n] = c;
      return;
    }
    while (this.next[last] !== NIL) last = this.next[last];
    this.next[last] = c;
  }

  leaf(e: Ev): WNode {
    return this.node(e, NIL, NIL);
  }

  /** The sequence w as a chain of nodes; returns its first. */
  chain(w: readonly Ev[]): WNode {
    let n = this.leaf(w[w.length - 1]);
    for (let k = w.length - 2; k >= 0; k--) n = this.node(w[k], n, NIL);
    return n;
  }
}

/**
 * Is thread `e.tid` a weak initial of w (p ∈ WI[E](w))? Either its first step in w has no
 * dependent step before it in w, or it has no step in w and `e` is independent of all of w.
 * With `pre` (w's prefix masks and per-thread chains), the first step of e's thread not `gone`
 * is found at once, and the masks decide most cases without a walk.
 */
export function weakInitial(e: Ev, w: readonly Ev[], gone?: Uint8Array, pre?: PrefixMasks): boolean {
  let k = -1;
  if (pre !== undefined) k = e.tid < pre.nt ? pre.first[e.tid] : -1;
  else
    for (let j = 0; j < w.length; j++)
      if ((gone === undefined || gone[j] === 0) && w[j].tid === e.tid) {
        k = j;
        break;
      }
  if (k >= 0) {
    const x = w[k];
    if (x.choice !== e.choice) return false;
    if (pre !== undefined && !maskConflict(x, pre.r[k], pre.w[k], pre.a[k])) return true;
    // from the end: in a race reversal the dependent step is usually the last one
    for (let y = k - 1; y >= 0; y--)
      if ((gone === undefined || gone[y] === 0) && dependent(w[y], x)) return false;
    return true;
  }
  const n = w.length;
  if (pre !== undefined && !maskConflict(e, pre.r[n], pre.w[n], pre.a[n])) return true;
  for (let j = n - 1; j >= 0; j--)
    if ((gone === undefined || gone[j] === 0) && dependent(e, w[j])) return false;
  return true;
}

/**
 * Key-mask unions of every prefix of a sequence: w[0..k) in slot k. A step whose masks miss a
 * union is independent of every step in that prefix (of any subset of it, too). And each thread's
 * steps in w as a chain: `first[t]` its first step not yet removed (-1: none), `next[k]` the next
 * step of w[k]'s thread after k (-1: none); `remove` keeps `first` up to date.
 */
export interface PrefixMasks {
  r: Int32Array;
  w: Int32Array;
  a: Int32Array;
  first: Int32Array;
  next: Int32Array;
  /** Threads covered by `first` (0..nt-1). */
  nt: number;
}

/** One scratch set of prefix masks, reused: a search computes them for one sequence at a time. */
const scratch: PrefixMasks = {
  r: new Int32Array(64),
  w: new Int32Array(64),
  a: new Int32Array(64),
  first: new Int32Array(64),
  next: new Int32Array(64),
  nt: 0,
};

/** `nt`: the model's thread count (every tid in w is below it). */
export function prefixMasks(w: readonly Ev[], nt: number, reuse = false): PrefixMasks {
  const n = w.length;
  if (reuse && (n + 1 > scratch.r.length || nt > scratch.first.length)) {
    const size = Math.max(n + 1, scratch.r.length * 2);
    scratch.r = new Int32Array(size);
    scratch.w = new Int32Array(size);
    scratch.a = new Int32Array(size);
    scratch.next = new Int32Array(size);
    scratch.first = new Int32Array(Math.max(nt, scratch.first.length * 2));
  }
  const r = reuse ? scratch.r : new Int32Array(n + 1);
  const wr = reuse ? scratch.w : new Int32Array(n + 1);
  const a = reuse ? scratch.a : new Int32Array(n + 1);
  const first = reuse ? scratch.first : new Int32Array(nt);
  const next = reuse ? scratch.next : new Int32Array(n);
  r[0] = wr[0] = a[0] = 0;
  for (let k = 0; k < n; k++) {
    const x = w[k];
    r[k + 1] = r[k] | x.rm;
    wr[k + 1] = wr[k] | x.wm;
    a[k + 1] = a[k] | x.am;
  }
  for (let t = 0; t < nt; t++) first[t] = -1;
  for (let k = n - 1; k >= 0; k--) {
    const t = w[k].tid;
    next[k] = first[t];
    first[t] = k;
  }
  if (reuse) {
    scratch.nt = nt;
    return scratch;
  }
  return { r, w: wr, a, first, next, nt };
}

function maskConflict(x: Ev, r: number, w: number, a: number): boolean {
  return (x.wm & (r | w | a)) !== 0 || (w & (x.rm | x.am)) !== 0 || (x.am & r) !== 0 || (x.rm & a) !== 0;
}

/** w \ p, in place: mark the first remaining step of thread p (if any) as gone. */
export function remove(gone: Uint8Array, tid: number, pre: PrefixMasks): boolean {
  const k = tid < pre.nt ? pre.first[tid] : -1;
  if (k < 0) return false;
  gone[k] = 1;
  pre.first[tid] = pre.next[k];
  return true;
}

/**
 * insert[E](v, B) below node `cur`: descend along the ≺-first child that is a weak initial of what
 * is left of v (the steps of v matched above are marked `gone`, `left` remain); if that reaches a
 * leaf, v is already covered; otherwise hang the rest of v as a new last child. Returns the number
 * of nodes added (0: v was already covered). `canon(k)` is the step v[k] as the tree keeps it.
 */
export function insertBelow(
  pool: WakeupPool,
  cur: WNode,
  v: readonly Ev[],
  gone: Uint8Array,
  pre: PrefixMasks,
  left: number,
  canon: (k: number) => Ev,
): number {
  for (;;) {
    let next = NIL;
    for (let c = pool.child[cur]; c !== NIL; c = pool.next[c])
      if (weakInitial(pool.ev(c), v, gone, pre)) {
        next = c;
        break;
      }
    if (next === NIL) {
      const rest = keep(v, gone, canon);
      pool.append(cur, pool.chain(rest));
      return rest.length;
    }
    if (remove(gone, pool.ev(next).tid, pre)) left--;
    cur = next;
    if (pool.child[cur] === NIL || left === 0) return 0;
  }
}

/** The steps of w not marked gone, as the tree keeps them (`canon`). */
export function keep(w: readonly Ev[], gone: Uint8Array, canon: (k: number) => Ev): Ev[] {
  const out: Ev[] = [];
  for (let k = 0; k < w.length; k++) if (gone[k] === 0) out.push(canon(k));
  return out;
}
