/** `a`'s entries in a new array of length `n`, the rest zero: typed arrays do not grow in place. */
export function grown<A extends Int32Array | Uint8Array>(a: A, n: number): A {
  const b = (a instanceof Int32Array ? new Int32Array(n) : new Uint8Array(n)) as A;
  b.set(a.length > n ? a.subarray(0, n) : a);
  return b;
}
