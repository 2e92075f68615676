import type { AwaitRequest } from '../../explorer/index.ts';
import { until } from '../../explorer/index.ts';
import { type Kernel, KObject } from '../kernel.ts';

/**
 * RCU read-side state of one task: `reader` (inside rcu_read_lock()) and `gen` (how many read
 * sections it has entered). A grace period that starts now ends when every task that was a reader
 * has left that section (its `gen` moved on, or it is no longer a reader).
 * Model: synchronize_rcu() is a wait; call_rcu() is modelled by the freeing thread waiting.
 */
export class RcuReader extends KObject {
  readonly kReader: number;
  readonly kGen: number;
  constructor(k: Kernel, task: string) {
    super(k, `rcu#${task}`);
    this.kReader = this.key('reader');
    this.kGen = this.key('gen');
  }
  init(): void {
    this.mem.init(this.kReader, false);
    this.mem.init(this.kGen, 0);
  }
  get reader(): boolean {
    return this.r(this.kReader);
  }
  /** How many read sections this task has entered (the current one's number while `reader`). */
  get gen(): number {
    return this.r(this.kGen);
  }
  rcu_read_lock(): void {
    this.w(this.kReader, true);
    this.w(this.kGen, (this.r(this.kGen) as number) + 1);
  }
  rcu_read_unlock(): void {
    this.w(this.kReader, false);
  }
}

/** Snapshot the readers now in a read section; the returned wait ends when all have left it. */
export function synchronize_rcu(k: Kernel, label: string): { start: () => void; wait: AwaitRequest } {
  let snapshot: Array<[RcuReader, number]> = [];
  const readers = () => k.all(RcuReader);
  return {
    start: () => {
      snapshot = readers()
        .filter((r) => r.reader)
        .map((r) => [r, k.mem.read(r.kGen) as number]);
    },
    wait: until(label, () => snapshot.every(([r, g]) => !r.reader || (k.mem.read(r.kGen) as number) !== g)),
  };
}
