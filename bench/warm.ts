/**
 * Warm-up before timing: run until 300 ms have passed (at least once, at most 20 times), so a
 * check of a few ms is timed JIT-compiled, as one of a second is after its first run.
 */
export function warmUp(run: () => unknown): void {
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    run();
    if (performance.now() - t0 >= 300) return;
  }
}
