import { type Kernel, KObject } from '../kernel.ts';

/**
 * The TLB entries other CPUs of a process still hold: `tlb#A.entry[i]` is the folio that a CPU
 * running one of A's threads can write at page i without walking the page table (a writable,
 * dirty translation it cached earlier), or null. A zap that clears the PTE leaves the entry
 * until its TLB flush (tlb_flush_mmu_tlbonly); folio_mkclean's ptep_clear_flush flushes it too.
 * Rule R19 (the delayed rmap exists because of this window).
 * Model: only the entries a scenario declares (k.tlbEntry); a CPU that misses in its TLB walks
 * the page table (the walk does not refill the modelled entry); no ASIDs, no lazy TLB mode.
 */
export class Tlb extends KObject {
  readonly kEntry: number[];
  constructor(
    k: Kernel,
    name: string,
    readonly size: number,
  ) {
    super(k, name);
    this.kEntry = Array.from({ length: size }, (_, i) => this.key(`entry[${i}]`));
  }
  init(): void {
    for (const k of this.kEntry) this.mem.init(k, null);
  }
  /** The folio a cached writable translation of page `addr` points to, or null. */
  entry(addr: number): string | null {
    return this.r(this.kEntry[addr]);
  }
  /** flush_tlb_range() of one page: every CPU drops its translation. */
  flush(addr: number): void {
    this.w(this.kEntry[addr], null);
  }
}

/** The TLB object of an mm (`tlb#<label>`), or null when the scenario declares no TLB entry. */
export function tlbOf(k: Kernel, label: string): Tlb | null {
  return k.find<Tlb>(`tlb#${label}`) ?? null;
}
