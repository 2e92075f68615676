import { dependent, type Ev } from './event.ts';

/**
 * Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, JACM 64(4) 2017, §6): at each node of the
 * search, the sequences still to explore from there, as an ordered tree. Children are in ≺ order
 * (insertion order); the first child is the branch being explored.
 *
 * A node links to its first child and its next sibling (no array per node): the trees can hold
 * about one node per trace still to run (readers(N)), so a node is kept to three fields.
 */
export interface WNode {
  ev: Ev;
  /** First child, or null for a leaf. */
  child: WNode | null;
  /** Next sibling, or null for the last child. */
  next: WNode | null;
}

/** A leaf for step e. */
export function leaf(e: Ev): WNode {
  return { ev: e, child: null, next: null };
}

/** The children of a node, in order, as an array. */
export function childrenOf(w: WNode): WNode[] {
  const out: WNode[] = [];
  for (let c = w.child; c !== null; c = c.next) out.push(c);
  return out;
}

/** Add `c` as the last child of `w`. */
function append(w: WNode, c: WNode): void {
  if (w.child === null) {
    w.child = c;
    return;
  }
  let last = w.child;
  while (last.next !== null) last = last.next;
  last.next = c;
}

/**
 * Is thread `e.tid` a weak initial of w (p ∈ WI[E](w))? Either its first step in w has no
 * dependent step before it in w, or it has no step in w and `e` is independent of all of w.
 */
export function weakInitial(e: Ev, w: readonly Ev[], gone?: Uint8Array, pre?: PrefixMasks): boolean {
  for (let k = 0; k < w.length; k++) {
    if (gone !== undefined && gone[k] === 1) continue;
    const x = w[k];
    if (x.tid === e.tid) {
      if (x.choice !== e.choice) return false;
      if (pre !== undefined && !maskConflict(x, pre.r[k], pre.w[k], pre.a[k])) return true;
      for (let y = 0; y < k; y++)
        if ((gone === undefined || gone[y] === 0) && dependent(w[y], x)) return false;
      return true;
    }
  }
  const n = w.length;
  if (pre !== undefined && !maskConflict(e, pre.r[n], pre.w[n], pre.a[n])) return true;
  for (let k = 0; k < n; k++) if ((gone === undefined || gone[k] === 0) && dependent(e, w[k])) return false;
  return true;
}

/**
 * Key-mask unions of every prefix of a sequence: w[0..k) in slot k. A step whose masks miss a
 * union is independent of every step in that prefix (of any subset of it, too).
 */
export interface PrefixMasks {
  r: Int32Array;
  w: Int32Array;
  a: Int32Array;
}

/** One scratch set of prefix masks, reused: a search computes them for one sequence at a time. */
const scratch: PrefixMasks = { r: new Int32Array(64), w: new Int32Array(64), a: new Int32Array(64) };

export function prefixMasks(w: readonly Ev[], reuse = false): PrefixMasks {
  const n = w.length;
  if (reuse && n + 1 > scratch.r.length) {
    const size = Math.max(n + 1, scratch.r.length * 2);
    scratch.r = new Int32Array(size);
    scratch.w = new Int32Array(size);
    scratch.a = new Int32Array(size);
  }
  const r = reuse ? scratch.r : new Int32Array(n + 1);
  const wr = reuse ? scratch.w : new Int32Array(n + 1);
  const a = reuse ? scratch.a : new Int32Array(n + 1);
  r[0] = wr[0] = a[0] = 0;
  for (let k = 0; k < n; k++) {
    r[k + 1] = r[k] | w[k].rm;
    wr[k + 1] = wr[k] | w[k].wm;
    a[k + 1] = a[k] | w[k].am;
  }
  return { r, w: wr, a };
}

function maskConflict(x: Ev, r: number, w: number, a: number): boolean {
  return (x.wm & (r | w | a)) !== 0 || (w & (x.rm | x.am)) !== 0 || (x.am & r) !== 0 || (x.rm & a) !== 0;
}

/** w \ p, in place: mark the first remaining step of thread p (if any) as gone. */
export function remove(w: readonly Ev[], gone: Uint8Array, tid: number): boolean {
  for (let k = 0; k < w.length; k++)
    if (gone[k] === 0 && w[k].tid === tid) {
      gone[k] = 1;
      return true;
    }
  return false;
}

export function chain(w: readonly Ev[]): WNode {
  let node: WNode = leaf(w[w.length - 1]);
  for (let k = w.length - 2; k >= 0; k--) node = { ev: w[k], child: node, next: null };
  return node;
}

/**
 * insert[E](v, B): descend along the ≺-first child that is a weak initial of what is left of v;
 * if that reaches a leaf, v is already covered; otherwise hang the rest of v as a new last child.
 * Returns true if the tree changed.
 */
export function insert(root: WNode, v: readonly Ev[]): boolean {
  if (root.child === null) {
    root.child = chain(v);
    return true;
  }
  return insertBelow(root, v, new Uint8Array(v.length), prefixMasks(v), v.length) > 0;
}

/**
 * The same descent from `cur`, with the steps of v already matched above it marked `gone`
 * (`left` remain). Returns the number of nodes added (0: v was already covered).
 */
export function insertBelow(
  cur: WNode,
  v: readonly Ev[],
  gone: Uint8Array,
  pre: PrefixMasks,
  left: number,
): number {
  for (;;) {
    let next: WNode | null = null;
    for (let c = cur.child; c !== null; c = c.next)
      if (weakInitial(c.ev, v, gone, pre)) {
        next = c;
        break;
      }
    if (next === null) {
      const rest = v.filter((_, k) => gone[k] === 0);
      append(cur, chain(rest));
      return rest.length;
    }
    if (remove(v, gone, next.ev.tid)) left--;
    cur = next;
    if (cur.child === null || left === 0) return 0;
  }
}
