import { dependent, type Ev } from './event.ts';

/**
 * Wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, JACM 64(4) 2017, §6): at each node of the
 * search, the sequences still to explore from there, as an ordered tree. Children are in ≺ order
 * (insertion order); the first child is the branch being explored.
 */
export interface WNode {
  ev: Ev;
  children: WNode[];
}

/**
 * Is thread `e.tid` a weak initial of w (p ∈ WI[E](w))? Either its first step in w has no
 * dependent step before it in w, or it has no step in w and `e` is independent of all of w.
 */
export function weakInitial(e: Ev, w: readonly Ev[]): boolean {
  for (let k = 0; k < w.length; k++) {
    const x = w[k];
    if (x.tid === e.tid) {
      if (x.choice !== e.choice) return false;
      for (let y = 0; y < k; y++) if (dependent(w[y], x)) return false;
      return true;
    }
  }
  for (const x of w) if (dependent(e, x)) return false;
  return true;
}

/** w \ p: w without the first step of thread p (if it has one). */
function without(w: Ev[], tid: number): Ev[] {
  const k = w.findIndex((x) => x.tid === tid);
  if (k < 0) return w;
  return w.slice(0, k).concat(w.slice(k + 1));
}

function chain(w: readonly Ev[]): WNode {
  let node: WNode = { ev: w[w.length - 1], children: [] };
  for (let k = w.length - 2; k >= 0; k--) node = { ev: w[k], children: [node] };
  return node;
}

/**
 * insert[E](v, B): descend along the ≺-first child that is a weak initial of what is left of v;
 * if that reaches a leaf, v is already covered; otherwise hang the rest of v as a new last child.
 * Returns true if the tree changed.
 */
export function insert(root: WNode, v: readonly Ev[]): boolean {
  let cur = root;
  let w = v.slice();
  if (cur.children.length === 0) {
    cur.children.push(chain(w));
    return true;
  }
  for (;;) {
    let next: WNode | null = null;
    for (const c of cur.children)
      if (weakInitial(c.ev, w)) {
        next = c;
        break;
      }
    if (next === null) {
      cur.children.push(chain(w));
      return true;
    }
    w = without(w, next.ev.tid);
    cur = next;
    if (cur.children.length === 0 || w.length === 0) return false;
  }
}
