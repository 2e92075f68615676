import { type Arr, defineModel, type Model, type Mutex, type ThreadBody } from './model.ts';

/**
 * The DPOR benchmark programs of explorer.md §2.3 (Nidhugg / Concuerror / SV-COMP), written in
 * the explorer's shared-memory vocabulary: one shared access, lock or unlock per step. Their exact
 * Mazurkiewicz trace counts (§2.4) are the explorer's regression suite.
 *
 * Thread bodies are module-level generator functions, started from setup with their arguments:
 * V8 creates a generator from a closure made afresh in every execution ~10× slower than from a
 * hoisted one (README, "Performance").
 */

/** lastzero(N): (N+3)·2^(N−2) traces. T0 scans a[] downwards for a zero; Tj sets a[j] = a[j−1]+1. */
export function lastzero(n: number): Model {
  return defineModel(
    `lastzero(${n})`,
    (m) => {
      m.options({ fixedFootprints: true }); // one access a step, its key fixed by the thread's state
      const a = m.array('a', n + 1, 0);
      m.thread('T0', () => lastzeroReader(a, n));
      for (let j = 1; j <= n; j++) m.thread(`T${j}`, () => lastzeroWriter(a, j));
    },
    { buildOnce: true }, // threads keep their state in memory and generator locals
  );
}

function* lastzeroReader(a: Arr<number>, n: number): ThreadBody {
  for (let i = n; ; i--) {
    yield 'read a[i]';
    if (a.load(i) === 0) return;
  }
}

function* lastzeroWriter(a: Arr<number>, j: number): ThreadBody {
  yield 'read a[j-1]';
  const r = a.load(j - 1);
  yield 'write a[j]';
  a.store(j, r + 1);
}

/** readers(N): 2^N traces. One writer, N readers of x. */
export function readers(n: number): Model {
  return defineModel(
    `readers(${n})`,
    (m) => {
      m.options({ fixedFootprints: true }); // one access a step, its key fixed by the thread's state
      const x = m.array('x', 1, 0);
      m.thread('W', () => readersWriter(x));
      for (let j = 1; j <= n; j++) m.thread(`R${j}`, () => readersReader(x));
    },
    { buildOnce: true }, // threads keep their state in memory and generator locals
  );
}

function* readersWriter(x: Arr<number>): ThreadBody {
  yield 'write x';
  x.store(0, 42);
}

function* readersReader(x: Arr<number>): ThreadBody {
  yield 'read x';
  x.load(0);
}

const INDEXER_SIZE = 128;
const INDEXER_MAX = 4;

/** indexer(N): 8^(N−11) traces for N ≥ 12 (1 below). Threads insert into a hash table by CAS. */
export function indexer(n: number): Model {
  return defineModel(
    `indexer(${n})`,
    (m) => {
      m.options({ fixedFootprints: true }); // one access a step, its key fixed by the thread's state
      const table = m.array('table', INDEXER_SIZE, 0);
      for (let tid = 0; tid < n; tid++) m.thread(`T${tid}`, () => indexerThread(table, tid));
    },
    { buildOnce: true }, // threads keep their state in memory and generator locals
  );
}

function* indexerThread(table: Arr<number>, tid: number): ThreadBody {
  for (let k = 1; k <= INDEXER_MAX; k++) {
    const w = k * 11 + tid;
    let h = (w * 7) % INDEXER_SIZE;
    for (;;) {
      yield 'cas table[h]';
      if (table.cas(h, 0, w)) break;
      h = (h + 1) % INDEXER_SIZE;
    }
  }
}

const NUMBLOCKS = 26;
const NUMINODE = 32;
const FS_LOOP = 10;

/** filesystem(N): 2^(N−13) traces for N ≥ 14 (1 below). Inode and block allocation under locks. */
export function filesystem(n: number): Model {
  return defineModel(
    `filesystem(${n})`,
    (m) => {
      m.options({ fixedFootprints: true }); // one access a step, its key fixed by the thread's state
      const fs: Fs = {
        inode: m.array('inode', NUMINODE, 0),
        busy: m.array('busy', NUMBLOCKS, 0),
        locki: Array.from({ length: NUMINODE }, (_, i) => m.mutex(`locki[${i}]`)),
        lockb: Array.from({ length: NUMBLOCKS }, (_, i) => m.mutex(`lockb[${i}]`)),
      };
      for (let tid = 0; tid < n; tid++) m.thread(`T${tid}`, () => filesystemThread(fs, tid));
    },
    { buildOnce: true }, // threads keep their state in memory and generator locals
  );
}

interface Fs {
  inode: Arr<number>;
  busy: Arr<number>;
  locki: Mutex[];
  lockb: Mutex[];
}

function* filesystemThread({ inode, busy, locki, lockb }: Fs, tid: number): ThreadBody {
  const i = tid % NUMINODE;
  yield locki[i].lock();
  yield 'read inode[i]';
  if (inode.load(i) === 0) {
    let b = (i * 2) % NUMBLOCKS;
    for (let l = 0; l < FS_LOOP; l++) {
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
}

/** philosophers(N): 2^N − 1 traces, one of them the deadlock (expected, unless `allowDeadlock` is false). */
export function philosophers(n: number, { allowDeadlock = true } = {}): Model {
  return defineModel(
    `philosophers(${n})`,
    (m) => {
      m.options({ fixedFootprints: true }); // one access a step, its key fixed by the thread's state
      m.options({ allowDeadlock });
      const fork = Array.from({ length: n }, (_, i) => m.mutex(`fork[${i}]`));
      for (let i = 0; i < n; i++) m.thread(`P${i}`, () => philosopher(fork[i], fork[(i + 1) % n]));
    },
    { buildOnce: true }, // threads keep their state in memory and generator locals
  );
}

function* philosopher(left: Mutex, right: Mutex): ThreadBody {
  yield left.lock();
  yield right.lock();
  yield right.unlock();
  yield left.unlock();
}

/** Closed forms of the trace counts (explorer.md §2.4). */
export const traceCounts = {
  lastzero: (n: number) => (n + 3) * 2 ** (n - 2),
  readers: (n: number) => 2 ** n,
  indexer: (n: number) => (n <= 11 ? 1 : 8 ** (n - 11)),
  filesystem: (n: number) => (n <= 13 ? 1 : 2 ** (n - 13)),
  philosophers: (n: number) => 2 ** n - 1,
};
