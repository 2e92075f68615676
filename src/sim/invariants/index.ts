import type { Kernel } from '../kernel.ts';
import { AnonVma } from '../objects/anon_vma.ts';
import { Folio, folio_mapcount, folio_mapped } from '../objects/folio.ts';
import { MemCgroup } from '../objects/mem_cgroup.ts';
import { AddressSpace } from '../objects/page_cache.ts';
import { PageTable } from '../objects/page_table.ts';
import { SwapSlot } from '../objects/swap.ts';
import { Vma } from '../objects/vma.ts';
import { INV, type InvariantId } from './names.ts';

/**
 * The invariants of kernel-rules.md §2 as named pure predicates over the simulated state, and
 * their registration per object: one check instance per folio (or slot, page table, memcg),
 * scoped to exactly the objects it reads, so the explorer re-checks it only after steps that
 * wrote them and orders only those steps.
 *
 * Some invariants are about a step rather than a state (I4 use of a freed anon_vma, I9 first
 * mapping without the folio lock, I13 what a load returns, I15 PTE writes without the PTL, I20
 * memory reused before a grace period): those are assertions inside the ops (`bug(INV.In, …)`),
 * reported under the same names. I18 (lock order) is not checked: the explorer reports the
 * deadlocks an order violation produces.
 */

export type Pred = () => true | string;

/** Where an anon or file folio can be mapped: every page table of the scenario. */
function pagesMapping(k: Kernel, f: Folio): number {
  let n = 0;
  for (const pt of k.all(PageTable)) {
    if (pt.freed) continue;
    for (let a = 0; a < pt.size; a++) {
      const p = pt.peekPte(a);
      if (p.t === 'present' && p.folio === f.name) n++;
    }
  }
  return n;
}

function inPageCache(k: Kernel, f: Folio): boolean {
  const m = f.mapping;
  if (m === null || f.anon || !k.has(m)) return false;
  const as = k.lookup<AddressSpace>(m, 'address_space');
  return as.kPages.some((key) => as.mem.read(key) === f.name);
}

/** I1: refcount ≥ mapcount + the cache's references (transient references are not tracked). */
export function I1(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.freed) return true;
    const need = folio_mapcount(f) + (f.swapcache ? f.nr : 0) + (inPageCache(k, f) ? f.nr : 0);
    return f.refcount >= need || `${f.name}: refcount ${f.refcount} < mapcount + cache references ${need}`;
  };
}

/**
 * I2: at quiescent points (no PTL held, no delayed rmap pending in an mmu_gather), mapcount ==
 * the number of present PTEs mapping the folio.
 */
export function I2(k: Kernel, f: Folio): Pred {
  const pts = k.all(PageTable);
  return () => {
    if (!f.exists() || f.freed) return true;
    if (pts.some((pt) => pt.ptl.holder() !== -1)) return true; // not quiescent: a PTL is held
    if ((f.mem.read(f.kDelayed) as number) > 0) return true; // an mmu_gather holds a delayed rmap
    const ptes = pagesMapping(k, f);
    const m = folio_mapcount(f);
    return m === ptes || `${f.name}: mapcount ${m} but ${ptes} present PTE(s) map it, and no PTL is held`;
  };
}

/** I3: a freed folio has no references, mappings, cache membership; no PTE points to it. */
export function I3(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || !f.freed) return true;
    if (f.refcount !== 0) return `${f.name} freed with refcount ${f.refcount}`;
    if (f.swapcache || inPageCache(k, f)) return `${f.name} freed while cached`;
    if (f.memcg !== null) return `${f.name} freed while charged to ${f.memcg}`;
    const ptes = pagesMapping(k, f);
    return ptes === 0 || `${f.name} freed while ${ptes} PTE(s) still map it`;
  };
}

/** I5: a mapped anon folio's anon_vma is alive. */
export function I5(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || !f.anon || f.freed || !folio_mapped(f)) return true;
    const m = f.mapping;
    if (m === null) return `${f.name} is mapped but has no anon_vma`;
    const av = k.lookup<AnonVma>(m, 'anon_vma');
    return (
      av.isLive() || `${f.name} is mapped (mapcount ${folio_mapcount(f)}) but its ${av.name} is ${av.state}`
    );
  };
}

/** I14: PageAnonExclusive ⇒ at most one mapping; a writable anon PTE ⇒ PageAnonExclusive. */
export function I14(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || !f.anon || f.freed || f.nr > 1) return true;
    if (f.exclusive && f.mapcount > 1) return `${f.name} is PageAnonExclusive but mapped ${f.mapcount} times`;
    for (const pt of k.all(PageTable)) {
      if (pt.freed) continue;
      for (let a = 0; a < pt.size; a++) {
        const p = pt.peekPte(a);
        if (p.t === 'present' && p.folio === f.name && p.write && !f.exclusive)
          return `${pt.name} pte[${a}] maps ${f.name} writable, but it is not PageAnonExclusive`;
      }
    }
    return true;
  };
}

/** I16: _large_mapcount == Σ page mapcounts + entire; _nr_pages_mapped == #pages mapped. */
export function I16(_k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.nr === 1 || f.freed) return true;
    let sum = 0;
    let mapped = 0;
    for (let i = 0; i < f.nr; i++) {
      const m = f.pageMapcount(i);
      sum += m;
      if (m > 0) mapped++;
    }
    if (f.large_mapcount !== sum + f.entire_mapcount)
      return `${f.name}: _large_mapcount ${f.large_mapcount} but the pages' mapcounts sum to ${sum}`;
    return (
      f.nr_pages_mapped === mapped ||
      `${f.name}: _nr_pages_mapped ${f.nr_pages_mapped} but ${mapped} page(s) are mapped`
    );
  };
}

/** I11: a slot's count == the swap PTEs holding it; has_cache ⇐ it caches a folio. */
export function I11(k: Kernel, s: SwapSlot): Pred {
  return () => {
    let n = 0;
    for (const pt of k.all(PageTable)) {
      if (pt.freed) continue;
      for (let a = 0; a < pt.size; a++) {
        const p = pt.peekPte(a);
        if (p.t === 'swap' && p.entry === s.name) n++;
      }
    }
    if (s.count !== n) return `${s.name}: swap count ${s.count} but ${n} swap PTE(s) hold it`;
    return s.cache === null || s.has_cache || `${s.name} caches ${s.cache} without SWAP_HAS_CACHE`;
  };
}

/** I12: every swap PTE's data is reachable: in the swap cache, or written to the slot. */
export function I12(k: Kernel, s: SwapSlot): Pred {
  return () => {
    if (s.cache !== null || s.data !== null) return true;
    for (const pt of k.all(PageTable)) {
      if (pt.freed) continue;
      for (let a = 0; a < pt.size; a++) {
        const p = pt.peekPte(a);
        if (p.t === 'swap' && p.entry === s.name)
          return `${pt.name} pte[${a}] holds ${s.name}, which is neither in the swap cache nor written`;
      }
    }
    return true;
  };
}

/** I17: a page table of a VMA still linked in an rmap tree is not freed. */
export function I17(_k: Kernel, vma: Vma): Pred {
  return () =>
    !(vma.mm.pt.freed && vma.linked) ||
    `${vma.mm.pt.name} was freed while ${vma.name} is still linked in its rmap tree`;
}

/** I19: a mapped, cached or LRU folio is charged (when the scenario has memcgs). */
export function I19(_k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.freed) return true;
    if (f.memcg !== null) return true;
    if (folio_mapped(f)) return `${f.name} is mapped but uncharged`;
    return true;
  };
}

/**
 * I6: each memcg's memory counter equals the pages of the live folios charged to it.
 * Model: no reserved charges in flight (try_charge and commit_charge are one step here).
 */
export function I6(k: Kernel, m: MemCgroup): Pred {
  const folios = k.all(Folio);
  return () => {
    let n = 0;
    for (const f of folios) if (f.exists() && !f.freed && f.memcg === m.name) n += f.nr;
    return m.memory === n || `${m.name}.memory is ${m.memory} but ${n} page(s) are charged to it`;
  };
}

/** I7: no page counter is negative. */
export function I7(_k: Kernel, m: MemCgroup): Pred {
  return () => (m.memory >= 0 && m.memsw >= 0) || `${m.name}: negative page counter (memory ${m.memory})`;
}

/** I8: the mapped stats equal the mapped folios charged to the memcg (small folios). */
export function I8(k: Kernel, m: MemCgroup): Pred {
  const folios = k.all(Folio);
  return () => {
    let anon = 0;
    let file = 0;
    for (const f of folios)
      if (f.exists() && !f.freed && f.memcg === m.name && folio_mapped(f)) {
        if (f.anon) anon += f.nr;
        else file += f.nr;
      }
    if (m.anon_mapped !== anon)
      return `${m.name}.anon_mapped is ${m.anon_mapped} but ${anon} mapped anon page(s) are charged to it`;
    return (
      m.file_mapped === file ||
      `${m.name}.file_mapped is ${m.file_mapped} but ${file} mapped file page(s) are charged to it`
    );
  };
}

/** Which invariants a scenario checks (all by default). */
export type CheckSet = ReadonlySet<InvariantId>;
export const ALL_CHECKS: CheckSet = new Set(Object.keys(INV) as InvariantId[]);

/** Register every applicable invariant instance, each scoped to the objects it reads. */
export function registerInvariants(k: Kernel, only: CheckSet): void {
  const m = k.m;
  const pts = k.all(PageTable).map((p) => p.name);
  const on = (id: InvariantId) => only.has(id);
  for (const f of k.all(Folio)) {
    const tag = `[${f.name}]`;
    if (on('I1'))
      m.always(`${INV.I1} ${tag}`, I1(k, f), { on: [f.name, ...k.all(AddressSpace).map((a) => a.name)] });
    if (on('I2')) m.always(`${INV.I2} ${tag}`, I2(k, f), { on: [f.name, ...pts] });
    if (on('I3')) m.always(`${INV.I3} ${tag}`, I3(k, f), { on: [f.name, ...pts] });
    if (on('I5') && f.anon) {
      const avs = k.all(AnonVma).map((a) => a.name);
      m.always(`${INV.I5} ${tag}`, I5(k, f), { on: [f.name, ...avs] });
    }
    if (on('I14') && f.anon) m.always(`${INV.I14} ${tag}`, I14(k, f), { on: [f.name, ...pts] });
    if (on('I16') && f.nr > 1) m.always(`${INV.I16} ${tag}`, I16(k, f), { on: [f.name] });
    if (on('I19') && k.all(MemCgroup).length > 0) m.always(`${INV.I19} ${tag}`, I19(k, f), { on: [f.name] });
  }
  for (const s of k.all(SwapSlot)) {
    if (on('I11')) m.always(`${INV.I11} [${s.name}]`, I11(k, s), { on: [s.name, ...pts] });
    if (on('I12')) m.always(`${INV.I12} [${s.name}]`, I12(k, s), { on: [s.name, ...pts] });
  }
  for (const v of k.all(Vma))
    if (on('I17')) m.always(`${INV.I17} [${v.name}]`, I17(k, v), { on: [v.name, v.mm.pt.name] });
  const folios = k.all(Folio).map((f) => f.name);
  for (const c of k.all(MemCgroup)) {
    if (on('I6')) m.always(`${INV.I6} [${c.name}]`, I6(k, c), { on: [c.name, ...folios] });
    if (on('I7')) m.always(`${INV.I7} [${c.name}]`, I7(k, c), { on: [c.name] });
    if (on('I8')) m.always(`${INV.I8} [${c.name}]`, I8(k, c), { on: [c.name, ...folios] });
  }
}

export { INV, type InvariantId, invariantId } from './names.ts';
