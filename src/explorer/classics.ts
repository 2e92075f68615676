import { defineModel, type Model } from './model.ts';

/**
 * The DPOR benchmark programs of explorer.md §2.3 (Nidhugg / Concuerror / SV-COMP), written in
 * the explorer's shared-memory vocabulary: one shared access, lock or unlock per step. Their exact
 * Mazurkiewicz trace counts (§2.4) are the explorer's regression suite.
 */

/** lastzero(N): (N+3)·2^(N−2) traces. T0 scans a[] downwards for a zero; Tj sets a[j] = a[j−1]+1. */
export function lastzero(n: number): Model {
  return defineModel(`lastzero(${n})`, (m) => {
    const a = m.array('a', n + 1, 0);
    m.thread('T0', function* () {
      for (let i = n; ; i--) {
        yield 'read a[i]';
        if (a.load(i) === 0) return;
      }
    });
    for (let j = 1; j <= n; j++)
      m.thread(`T${j}`, function* () {
        yield 'read a[j-1]';
        const r = a.load(j - 1);
        yield 'write a[j]';
        a.store(j, r + 1);
      });
  });
}

/** readers(N): 2^N traces. One writer, N readers of x. */
export function readers(n: number): Model {
  return defineModel(`readers(${n})`, (m) => {
    const x = m.cell('x', 0);
    m.thread('W', function* () {
      yield 'write x';
      x.store(42);
    });
    for (let j = 1; j <= n; j++)
      m.thread(`R${j}`, function* () {
        yield 'read x';
        x.load();
      });
  });
}

/** indexer(N): 8^(N−11) traces for N ≥ 12 (1 below). Threads insert into a hash table by CAS. */
export function indexer(n: number): Model {
  const SIZE = 128;
  const MAX = 4;
  return defineModel(`indexer(${n})`, (m) => {
    const table = m.array('table', SIZE, 0);
    for (let tid = 0; tid < n; tid++)
      m.thread(`T${tid}`, function* () {
        for (let k = 1; k <= MAX; k++) {
          const w = k * 11 + tid;
          let h = (w * 7) % SIZE;
          for (;;) {
            yield 'cas table[h]';
            if (table.cas(h, 0, w)) break;
            h = (h + 1) % SIZE;
          }
        }
      });
  });
}

/** filesystem(N): 2^(N−13) traces for N ≥ 14 (1 below). Inode and block allocation under locks. */
export function filesystem(n: number): Model {
  const NUMBLOCKS = 26;
  const NUMINODE = 32;
  const LOOP = 10;
  return defineModel(`filesystem(${n})`, (m) => {
    const inode = m.array('inode', NUMINODE, 0);
    const busy = m.array('busy', NUMBLOCKS, 0);
    const locki = Array.from({ length: NUMINODE }, (_, i) => m.mutex(`locki[${i}]`));
    const lockb = Array.from({ length: NUMBLOCKS }, (_, i) => m.mutex(`lockb[${i}]`));
    for (let tid = 0; tid < n; tid++)
      m.thread(`T${tid}`, function* () {
        const i = tid % NUMINODE;
        yield locki[i].lock();
        yield 'read inode[i]';
        if (inode.load(i) === 0) {
          let b = (i * 2) % NUMBLOCKS;
          for (let l = 0; l < LOOP; l++) {
            yield lockb[b].lock();
            yield 'read busy[b]';
            if (!busy.load(b)) {
              yield 'write busy[b]';
              busy.store(b, 1);
              yield 'write inode[i]';
              inode.store(i, b + 1);
              yield lockb[b].unlock();
              break;
            }
            yield lockb[b].unlock();
            b = (b + 1) % NUMBLOCKS;
          }
        }
        yield locki[i].unlock();
      });
  });
}

/** philosophers(N): 2^N − 1 traces, one of them the deadlock (expected, unless `allowDeadlock` is false). */
export function philosophers(n: number, { allowDeadlock = true } = {}): Model {
  return defineModel(`philosophers(${n})`, (m) => {
    m.options({ allowDeadlock });
    const fork = Array.from({ length: n }, (_, i) => m.mutex(`fork[${i}]`));
    for (let i = 0; i < n; i++)
      m.thread(`P${i}`, function* () {
        const left = fork[i];
        const right = fork[(i + 1) % n];
        yield left.lock();
        yield right.lock();
        yield right.unlock();
        yield left.unlock();
      });
  });
}

/** Closed forms of the trace counts (explorer.md §2.4). */
export const traceCounts = {
  lastzero: (n: number) => (n + 3) * 2 ** (n - 2),
  readers: (n: number) => 2 ** n,
  indexer: (n: number) => (n <= 11 ? 1 : 8 ** (n - 11)),
  filesystem: (n: number) => (n <= 13 ? 1 : 2 ** (n - 13)),
  philosophers: (n: number) => 2 ** n - 1,
};
