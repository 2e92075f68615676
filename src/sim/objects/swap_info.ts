import { type Kernel, KObject } from '../kernel.ts';

/**
 * struct swap_info_struct: the one swap device of a scenario, as far as its flags matter.
 * `stableWrites` is SWP_STABLE_WRITES: set at swapon when the backing device needs stable
 * pages (bdev_stable_writes(): zram, devices with integrity checksums); such a device reads
 * the page more than once while writing it and requires that it not change meanwhile (R21).
 * Kernel: mm/swapfile.c swapon: "if (si->bdev && bdev_stable_writes(si->bdev)) si->flags |=
 * SWP_STABLE_WRITES;" (recalled from the catalog, kernel-rules.md R21; not re-read).
 * Model: a scenario without k.swapDevice() has a device without stable writes whose writeout
 * is one synchronous step (vmscan.ts pageout); with it, swap_writeout runs the device's write
 * (ops/page_io.ts). The flag never changes after swapon, so it is a constant, not memory.
 */
export class SwapInfo extends KObject {
  constructor(
    k: Kernel,
    readonly stableWrites: boolean,
  ) {
    super(k, 'swap_info#0');
  }
}

/** The scenario's swap device, or null (the default device: no stable writes). */
export function swapInfo(k: Kernel): SwapInfo | null {
  return k.find<SwapInfo>('swap_info#0') ?? null;
}
