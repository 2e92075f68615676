/**
 * What a block's explorations did, captured the same way by the page's runner (run.worker.ts) and
 * at build time (build-traces.ts). `Exploration.prototype.run` is patched once, so `explore()` from
 * mmspec/explorer and from mmspec (which re-exports it) are both covered; the patch numbers the
 * block's explorations in order, reports progress between slices and each result, and can swap one
 * exploration for the replay of a schedule (a shared link). `scenario()` is wrapped per run to
 * record its era/mutations, or to rerun the block under another variant (the kernel-era toggle).
 */
import type * as Explorer from '../../explorer/index.ts';

/** Replay exploration number `index` of the block (its model must be `model`) along `schedule`. */
export interface Replay {
  index: number;
  model: string;
  schedule: string;
}

/** A kernel variant: an era and the mutations switched on (src/sim/variants.ts). */
export interface Variant {
  era: string;
  mutate: string[];
}

export interface Hooks {
  progress?(model: string, p: Explorer.Progress): void;
  /** Each finished exploration, numbered in the order the block ran them. */
  result?(r: Explorer.ExploreResult, index: number): void;
  replay?: Replay | null;
}

let hooks: Hooks | null = null;
let count = 0;

/** Route the explorations of the block about to run to `h` (null: stop capturing). */
export function capture(h: Hooks | null): void {
  hooks = h;
  count = 0;
}

export class ReplayMismatch extends Error {
  override name = 'ReplayMismatch';
}

export function patchExplorer(explorer: typeof Explorer, sliceMs: number): void {
  const proto = explorer.Exploration.prototype as Explorer.Exploration & { __mmspecPatched?: true };
  if (proto.__mmspecPatched) return;
  proto.__mmspecPatched = true;
  // The methods as they are now: an exploration is driven through these, not through whatever
  // a block put on an object it passes as `this`.
  const { progress, runSlice, result } = proto;
  const call = Reflect.apply;
  proto.run = function run(this: Explorer.Exploration): Explorer.ExploreResult {
    if (!(this instanceof explorer.Exploration)) throw new TypeError('Exploration.run: not an exploration');
    const h = hooks;
    const index = count++;
    let ex: Explorer.Exploration = this;
    const replay = h?.replay;
    if (replay && replay.index === index) {
      if (this.model.name !== replay.model)
        throw new ReplayMismatch(
          `the link replays exploration #${index + 1} of model '${replay.model}', but this block's exploration #${index + 1} explores '${this.model.name}'`,
        );
      ex = new explorer.Exploration(this.model, { strategy: 'replay', schedule: replay.schedule });
    }
    for (let p = call(progress, ex, []); !p.done; ) {
      p = call(runSlice, ex, [sliceMs]);
      h?.progress?.(ex.model.name, p);
    }
    const r = call(result, ex, []);
    h?.result?.(r, index);
    return r;
  };
}

/** `today`, `today+delayed_anon_rmap`, `2022+a+b`. */
export function parseVariant(s: string): Variant {
  const [era, ...mutate] = s
    .trim()
    .split('+')
    .map((x) => x.trim());
  if (!era || mutate.some((m) => !m)) throw new Error(`cannot read the variant "${s}" (era[+mutation…])`);
  return { era, mutate };
}

export function variantName(v: Variant): string {
  return [v.era, ...v.mutate].join('+');
}

type ScenarioFn = (
  name: string,
  setup: unknown,
  opts?: { era?: string; mutate?: string | readonly string[] },
) => unknown;

/**
 * The simulator module as a block sees it: `scenario()` reports the variant each scenario was
 * built with (`seen`) and, given `force`, builds it under that variant instead.
 */
export function simFor<T extends object>(
  sim: T,
  seen: ((v: Variant) => void) | null,
  force: Variant | null,
): T {
  const original = (sim as { scenario?: ScenarioFn }).scenario;
  if (!original) return sim;
  const scenario = ((name, setup, opts = {}) => {
    const own: Variant = {
      era: opts.era ?? 'today',
      mutate:
        opts.mutate === undefined ? [] : typeof opts.mutate === 'string' ? [opts.mutate] : [...opts.mutate],
    };
    seen?.(own);
    return original(name, setup, force ? { ...opts, era: force.era, mutate: force.mutate } : opts);
  }) as ScenarioFn;
  return { ...sim, scenario } as T;
}
