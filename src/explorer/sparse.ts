import { grown } from './typed.ts';

/**
 * Per-step values that most steps lack (lock effects), for a sequence that grows and shrinks at
 * its end (an execution's log, its happens-before): rows of (step index, values…) in index order,
 * found by binary search. A step without values costs nothing (issue 12: flat memory per step).
 */
export class SparseRows {
  private index = new Int32Array(16);
  private values: Int32Array;
  private n = 0;

  constructor(private readonly width: number) {
    this.values = new Int32Array(16 * width);
  }

  /** Add the row of step i, after every row there is (steps come in order). */
  push(i: number, a: number, b = -1, c = -1): void {
    const n = this.n;
    if (n === this.index.length) {
      this.index = grown(this.index, 2 * n);
      this.values = grown(this.values, 2 * n * this.width);
    }
    this.index[n] = i;
    const o = n * this.width;
    this.values[o] = a;
    if (this.width > 1) this.values[o + 1] = b;
    if (this.width > 2) this.values[o + 2] = c;
    this.n = n + 1;
  }

  /** Drop the rows of steps n and later. */
  truncate(n: number): void {
    while (this.n > 0 && this.index[this.n - 1] >= n) this.n--;
  }

  clear(): void {
    this.n = 0;
  }

  /** Step i's row, or -1 if it has none. */
  find(i: number): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = this.index[mid];
      if (x === i) return mid;
      if (x < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Column `col` of a row found by `find`. */
  get(row: number, col: number): number {
    return this.values[row * this.width + col];
  }
}
