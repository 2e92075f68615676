import type { Kernel } from '../kernel.ts';
import { AnonVma } from '../objects/anon_vma.ts';
import { Folio, folio_mapcount, folio_mapped } from '../objects/folio.ts';
import { MemCgroup, type MoveCharge } from '../objects/mem_cgroup.ts';
import { MmStruct } from '../objects/mm_struct.ts';
import { AddressSpace } from '../objects/page_cache.ts';
import { PageTable } from '../objects/page_table.ts';
import { SwapSlot } from '../objects/swap.ts';
import { swapInfo } from '../objects/swap_info.ts';
import { Vma } from '../objects/vma.ts';
import { GUARDS, INV, type InvariantId } from './names.ts';

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
 * deadlocks an order violation produces. Present and swap PTEs are counted by ghost counters that
 * every PTE write keeps (objects/page_table.ts), so no check scans a page table.
 */

export type Pred = () => true | string;

function inPageCache(k: Kernel, f: Folio): boolean {
  const m = f.mapping;
  if (m === null || f.anon || !k.has(m)) return false;
  const as = k.lookup<AddressSpace>(m, 'address_space');
  return as.kPages.some((key) => as.mem.read(key) === f.name);
}

/** Present PTEs mapping f: a ghost counter kept by every PTE write (PageTable.set). */
function ptesMapping(f: Folio): number {
  return f.mem.read(f.kPtes) as number;
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
 * I2: at points quiescent for the folio, mapcount == the number of present PTEs mapping it.
 * Quiescent: no delayed rmap of it pending in an mmu_gather, and no PTL section that changed its
 * PTEs still open. The ops change a PTE and the mapcount in the same step under the PTL, so a
 * PTL section is open with the two out of step only where an op says so (`ptl_pending`: the R4
 * and R18 mutations), and the check reads only that PTL.
 */
export function I2(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.freed) return true;
    if ((f.mem.read(f.kDelayed) as number) > 0) return true; // an mmu_gather holds a delayed rmap
    const pending = f.mem.read(f.kPtlPending) as string | null;
    if (pending !== null && k.lookup<PageTable>(pending, 'page table').ptl.holder() !== -1) return true;
    const ptes = ptesMapping(f);
    const m = folio_mapcount(f);
    return (
      m === ptes ||
      `${f.name}: mapcount ${m} but ${ptes} present PTE(s) map it, outside any PTL section that changed them`
    );
  };
}

/** I3: a freed folio has no references, mappings, cache membership; no PTE points to it. */
export function I3(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || !f.freed) return true;
    if (f.refcount !== 0) return `${f.name} freed with refcount ${f.refcount}`;
    if (f.swapcache || inPageCache(k, f)) return `${f.name} freed while cached`;
    if (f.memcg !== null) return `${f.name} freed while charged to ${f.memcg}`;
    const ptes = ptesMapping(f);
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
    if (!f.exists() || !f.anon || f.freed) return true;
    if (f.nr > 1) return I14large(k, f);
    if (f.exclusive && f.mapcount > 1) return `${f.name} is PageAnonExclusive but mapped ${f.mapcount} times`;
    const w = f.mem.read(f.kWPtes) as number;
    return w === 0 || f.exclusive || `${w} writable PTE(s) map ${f.name}, but it is not PageAnonExclusive`;
  };
}

/**
 * I14 for a large folio (PageAnonExclusive is per page): with per-page mapcounts, an exclusive
 * page is mapped at most once; in both configs, a writable PTE needs an exclusive page (the
 * writable-PTE ghost is per folio, so this checks that some page is exclusive).
 */
function I14large(k: Kernel, f: Folio): true | string {
  let excl = 0;
  for (let i = 0; i < f.nr; i++)
    if (f.pageExclusive(i)) {
      excl++;
      if (k.pageMapcount && f.pageMapcount(i) > 1)
        return `${f.name} page ${i} is PageAnonExclusive but mapped ${f.pageMapcount(i)} times`;
    }
  const w = f.mem.read(f.kWPtes) as number;
  return (
    w === 0 || excl > 0 || `${w} writable PTE(s) map ${f.name}, but none of its pages is PageAnonExclusive`
  );
}

/**
 * I16: the large-folio aggregates agree. CONFIG_PAGE_MAPCOUNT: _large_mapcount == Σ page
 * mapcounts + entire; _nr_pages_mapped == #pages mapped. CONFIG_NO_PAGE_MAPCOUNT: the per-page
 * counts and _nr_pages_mapped stay unused (0). With the MM-owner slots (CONFIG_MM_ID): no slot
 * counts more than the folio, and "mapped exclusively" (shared bit clear) means one slot owns
 * every mapping (include/linux/rmap.h folio_sub_return_large_mapcount: "If one MM slot owns all
 * mappings, the folio is mapped exclusively").
 */
export function I16(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.nr === 1 || f.freed) return true;
    let sum = 0;
    let mapped = 0;
    for (let i = 0; i < f.nr; i++) {
      const m = f.pageMapcount(i);
      sum += m;
      if (m > 0) mapped++;
    }
    if (!k.pageMapcount) {
      if (sum !== 0 || f.nr_pages_mapped !== 0)
        return `${f.name}: per-page mapcounts or _nr_pages_mapped used under CONFIG_NO_PAGE_MAPCOUNT`;
    } else {
      if (f.large_mapcount !== sum + f.entire_mapcount)
        return `${f.name}: _large_mapcount ${f.large_mapcount} but the pages' mapcounts sum to ${sum}`;
      if (f.nr_pages_mapped !== mapped)
        return `${f.name}: _nr_pages_mapped ${f.nr_pages_mapped} but ${mapped} page(s) are mapped`;
    }
    if (!k.mmId) return true;
    const total = f.large_mapcount;
    const m0 = f.mmIdMapcount(0);
    const m1 = f.mmIdMapcount(1);
    if (m0 + m1 > total) return `${f.name}: the MM-owner slots count ${m0 + m1} mappings of ${total}`;
    return (
      f.mm_ids_shared ||
      total === 0 ||
      m0 === total ||
      m1 === total ||
      `${f.name}: "mapped exclusively" but no MM-owner slot holds all ${total} mappings (${m0}, ${m1})`
    );
  };
}

/** I11: a slot's count == the swap PTEs holding it; has_cache ⇐ it caches a folio. */
export function I11(_k: Kernel, s: SwapSlot): Pred {
  return () => {
    const n = s.mem.read(s.kPtes) as number;
    if (s.count !== n) return `${s.name}: swap count ${s.count} but ${n} swap PTE(s) hold it`;
    return s.cache === null || s.has_cache || `${s.name} caches ${s.cache} without SWAP_HAS_CACHE`;
  };
}

/** I12: every swap PTE's data is reachable: in the swap cache, or written to the slot. */
export function I12(_k: Kernel, s: SwapSlot): Pred {
  return () => {
    if (s.cache !== null || s.data !== null) return true;
    const n = s.mem.read(s.kPtes) as number;
    return n === 0 || `${n} swap PTE(s) hold ${s.name}, which is neither in the swap cache nor written`;
  };
}

/** I17: a page table of a VMA still linked in an rmap tree is not freed. */
export function I17(_k: Kernel, vma: Vma): Pred {
  return () =>
    !(vma.mm.pt.freed && vma.linked) ||
    // R20: a table PT reclaim detached (the PMD points elsewhere) is freed after a grace period
    (vma.mm.hasPmd && vma.mm.pmd !== vma.mm.pt.name) ||
    `${vma.mm.pt.name} was freed while ${vma.name} is still linked in its rmap tree`;
}

/**
 * I19: with memcg enabled, a folio that is mapped, in the page or swap cache, or on the LRU is
 * charged. A frozen folio (refcount 0: __remove_mapping, the free path) is exempt: nobody can
 * find it any more.
 */
export function I19(k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.freed || f.memcg !== null || f.refcount === 0) return true;
    if (folio_mapped(f)) return `${f.name} is mapped but uncharged`;
    if (f.swapcache) return `${f.name} is in the swap cache but uncharged`;
    if (f.lru) return `${f.name} is on the LRU but uncharged`;
    if (inPageCache(k, f)) return `${f.name} is in the page cache but uncharged`;
    return true;
  };
}

/**
 * I10: a folio on an LRU list is on the list of its memcg's lruvec (folio_lruvec(folio) is
 * where lru_lock users look for it): memcg_data changed under an LRU folio corrupts the list.
 */
export function I10(_k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.freed || !f.lru) return true;
    const v = f.lruvec;
    return (
      v === f.memcg ||
      `${f.name} sits on the LRU list of ${v ?? 'no memcg'} but folio_memcg() is ${f.memcg ?? 'none'}: folio_lruvec_lock() takes the wrong lru_lock`
    );
  };
}

/**
 * I6: each memcg's memory counter equals the pages of the live folios charged to it, plus the
 * charge-moving bookkeeping: the precharge not yet used (on mc.to), the moved pages not yet
 * uncharged (on mc.from) and the moved swap entries' memory charge (on mc.to).
 * Model: try_charge and commit_charge are one step; memsw is tracked but not checked.
 */
export function I6(k: Kernel, m: MemCgroup): Pred {
  const folios = k.all(Folio);
  const mc = k.find<MoveCharge>('mc') ?? null;
  return () => {
    let n = 0;
    for (const f of folios) if (f.mem.isLive(f.kMemcg) && f.memcg === m.name) n += f.nr;
    if (mc !== null) {
      if (mc.to === m.name) n += mc.precharge + (mc.mem.read(mc.kMovedSwap) as number);
      if (mc.from === m.name) n += mc.moved_charge;
    }
    return m.memory === n || `${m.name}.memory is ${m.memory} but ${n} page(s) are charged to it`;
  };
}

/** I7: no page counter is negative. */
export function I7(_k: Kernel, m: MemCgroup): Pred {
  return () => (m.memory >= 0 && m.memsw >= 0) || `${m.name}: negative page counter (memory ${m.memory})`;
}

/** Whose stats a folio's mapped pages count in: its memcg, or the one a charge move has already moved them to. */
function statsOwner(f: Folio): string | null {
  return (f.mem.read(f.kMoving) as string | null) ?? f.memcg;
}

/**
 * I8: the mapped stats equal the mapped folios charged to the memcg. Inside
 * mem_cgroup_move_account's folio_memcg_lock section, after the stats moved and before
 * memcg_data is switched, the folio counts for the memcg it is moving to.
 */
export function I8(k: Kernel, m: MemCgroup): Pred {
  const folios = k.all(Folio);
  return () => {
    let anon = 0;
    let file = 0;
    for (const f of folios)
      if (f.mem.isLive(f.kMemcg) && statsOwner(f) === m.name && folio_mapped(f)) {
        // NR_ANON_MAPPED counts a large folio's mapped pages (CONFIG_PAGE_MAPCOUNT), or the
        // whole folio while any page is mapped (CONFIG_NO_PAGE_MAPCOUNT)
        const n = f.nr > 1 && k.pageMapcount ? f.nr_pages_mapped : f.nr;
        if (f.anon) anon += n;
        else file += n;
      }
    if (m.anon_mapped !== anon)
      return `${m.name}.anon_mapped (NR_ANON_MAPPED) is ${m.anon_mapped} but ${anon} mapped anon page(s) are charged to it`;
    return (
      m.file_mapped === file ||
      `${m.name}.file_mapped (NR_FILE_MAPPED) is ${m.file_mapped} but ${file} mapped file page(s) are charged to it`
    );
  };
}

/**
 * I6, its swap half (kernel-rules.md I6): on cgroup v1, memsw equals the memory charged to the
 * memcg's live folios plus the slots whose memsw charge the memcg still holds — a slot recorded
 * for it whose data is not in a charged swap-cache folio (that folio's own memory+swap charge
 * already counts the page); on cgroup v2, swap equals the slots recorded for it.
 * Model: checked in era 'today' only (charge moving of 2022/2023 leaves its moved_swap memsw
 * fix-up out, and 2008 charged swap-cache pages at first map).
 */
export function I6swap(k: Kernel, m: MemCgroup): Pred {
  const folios = k.all(Folio);
  const slots = k.all(SwapSlot);
  return () => {
    let slotsHeld = 0;
    for (const s of slots) {
      if (s.memcg !== m.name) continue;
      const c = s.cache;
      if (!m.v2 && c !== null && k.lookup<Folio>(c, 'folio').memcg !== null) continue;
      slotsHeld++;
    }
    if (m.v2)
      return (
        m.swap === slotsHeld || `${m.name}.swap is ${m.swap} but ${slotsHeld} swap slot(s) are charged to it`
      );
    let n = 0;
    for (const f of folios) if (f.mem.isLive(f.kMemcg) && f.memcg === m.name) n += f.nr;
    return (
      m.memsw === n + slotsHeld ||
      `${m.name}.memsw is ${m.memsw} but ${n} page(s) in memory and ${slotsHeld} swapped-out slot(s) are charged to it`
    );
  };
}

/** Which invariants a scenario checks (all by default). */
export type CheckSet = ReadonlySet<InvariantId>;
export const ALL_CHECKS: CheckSet = new Set(Object.keys(INV) as InvariantId[]);

/** Register every applicable invariant instance, each scoped to exactly the objects it reads. */
export function registerInvariants(k: Kernel, only: CheckSet): void {
  const m = k.m;
  const ptls = k.all(PageTable).map((p) => p.ptl.name); // the PTLs (objects of their own)
  // with guards off, only harms: guard invariants are not registered (GUARDS), and I6/I8 are
  // checked at rest (m.final) instead of after every step
  const g = k.guards;
  const on = (id: InvariantId) => only.has(id) && (g || !GUARDS.has(id));
  const memcgs = k.all(MemCgroup);
  // I19 applies when every process is in a memcg (no root-memcg modelling), and not in 2008,
  // when swap-cache pages were charged only at their first map.
  const i19 =
    only.has('I19') &&
    memcgs.length > 0 &&
    k.variant.era !== '2008' &&
    k.all(MmStruct).every((mm) => mm.memcg !== null);
  const i19r = i19 && !g; // with guards off: a folio in use but uncharged at the end is a harm
  const avs = k.all(AnonVma).map((a) => a.name);
  for (const f of k.all(Folio)) {
    const tag = `[${f.name}]`;
    const mo = f.mapcountObject();
    const cacheScope = f.anon ? [] : k.all(AddressSpace).map((a) => a.name);
    // each scoped to exactly the fields it reads (Folio.fields: every field but refcount and
    // freed is an object of its own)
    const [swapcache, mapping] = f.fields('swapcache', 'mapping');
    if (on('I1'))
      m.always(`${INV.I1} ${tag}`, I1(k, f), { on: [f.name, mo, swapcache, mapping, ...cacheScope] });
    // I2 reads a PTL only when an op left `ptl_pending` (R4's mutation): only then is it in scope
    const v = k.variant.mutations;
    const i2pts = v.has('rmap_after_ptl_drop') || v.has('cow_drops_rmap_before_pte_switch') ? ptls : [];
    const i2 = [f.name, mo, f.ptesObject(), ...f.fields('delayed_rmap', 'ptl_pending'), ...i2pts];
    if (on('I2')) m.always(`${INV.I2} ${tag}`, I2(k, f), { on: i2 });
    const i3 = [f.name, swapcache, mapping, f.memcgObject(), f.ptesObject(), ...cacheScope];
    if (on('I3')) m.always(`${INV.I3} ${tag}`, I3(k, f), { on: i3 });
    if (on('I5') && f.anon) m.always(`${INV.I5} ${tag}`, I5(k, f), { on: [f.name, mo, mapping, ...avs] });
    const i14 = [f.name, mo, f.writablePtesObject(), ...f.fields('exclusive')];
    if (on('I14') && f.anon) m.always(`${INV.I14} ${tag}`, I14(k, f), { on: f.nr > 1 ? f.objects() : i14 });
    if (on('I16') && f.nr > 1) m.always(`${INV.I16} ${tag}`, I16(k, f), { on: f.objects() });
    const i19s = [f.name, f.memcgObject(), mo, swapcache, ...f.fields('lru'), mapping, ...cacheScope];
    if (i19 && g) m.always(`${INV.I19} ${tag}`, I19(k, f), { on: i19s });
    if (i19r) m.final(`${INV.I19} at rest ${tag}`, I19(k, f));
    if (on('I10') && memcgs.length > 0)
      m.always(`${INV.I10} ${tag}`, I10(k, f), {
        on: [f.name, f.memcgObject(), ...f.fields('lru', 'lruvec')],
      });
  }
  for (const s of k.all(SwapSlot)) {
    if (on('I11'))
      m.always(`${INV.I11} [${s.name}]`, I11(k, s), { on: [s.name, ...s.fields('count', 'has_cache')] });
    if (on('I12')) m.always(`${INV.I12} [${s.name}]`, I12(k, s), { on: [s.name, ...s.fields('data')] });
  }
  for (const v of k.all(Vma))
    if (on('I17'))
      m.always(`${INV.I17} [${v.name}]`, I17(k, v), {
        on: [v.name, v.mm.pt.name, ...(v.mm.hasPmd ? [v.mm.name] : [])],
      });
  const charges = k.all(Folio).map((f) => `${f.name}.memcg`);
  const moving = k.all(Folio).flatMap((f) => f.fields('memcg.moving')); // statsOwner() (I8)
  const mapped = k
    .all(Folio)
    .flatMap((f) => (f.nr > 1 ? [f.mapcountObject(), ...f.fields('nr_pages_mapped')] : [f.mapcountObject()]));
  const mc = k.has('mc') ? ['mc'] : [];
  for (const c of memcgs) {
    if (on('I6') && g) m.always(`${INV.I6} [${c.name}]`, I6(k, c), { on: [c.name, ...mc, ...charges] });
    if (on('I6') && !g) m.final(`${INV.I6} at rest [${c.name}]`, I6(k, c));
    if (on('I6') && k.variant.era === 'today') {
      const slots = k.all(SwapSlot).flatMap((s) => [s.name, ...s.fields('memcg')]);
      const on6s = [...c.fields('swap', 'memsw'), ...charges, ...slots];
      if (g) m.always(`${INV.I6} (swap) [${c.name}]`, I6swap(k, c), { on: on6s });
      else m.final(`${INV.I6} (swap) at rest [${c.name}]`, I6swap(k, c));
    }
    if (on('I7')) m.always(`${INV.I7} [${c.name}]`, I7(k, c), { on: [c.name, ...c.fields('memsw')] });
    // Where rmap's stat update is a step of its own (Kernel.statsOwnStep: v6.3–v6.12 with a charge
    // mover), the stats lag the mapcounts inside every rmap call, as in the kernel: only at rest
    // must they agree.
    const i8always = g && !k.statsOwnStep;
    if (on('I8') && i8always)
      m.always(`${INV.I8} [${c.name}]`, I8(k, c), {
        on: [...c.fields('anon_mapped', 'file_mapped'), ...charges, ...moving, ...mapped],
      });
    if (on('I8') && !i8always) m.final(`${INV.I8} at rest [${c.name}]`, I8(k, c));
  }
  // I22 (R19): at the end of each execution, a clean page-cache folio holds what the disk holds
  for (const as of k.all(AddressSpace))
    if (on('I22') && as.hasDisk)
      for (let i = 0; i < as.size; i++) m.final(`${INV.I22} at rest [${as.name}[${i}]]`, I22(k, as, i));
  // I21 (R22): where VMAs start without an anon_vma (k.lazyAnonVma), every anon PTE is in rmap
  // (it reads whether a mapped anon folio is freed: every anon folio is in scope)
  const anonFolios = k
    .all(Folio)
    .filter((f) => f.anon)
    .map((f) => f.name);
  if (on('I21') && k.all(Vma).some((v) => v.lazy))
    for (const v of k.all(Vma))
      if (v.file === null)
        m.always(`${INV.I21} [${v.name}]`, I21(k, v), {
          on: [v.name, ...v.mm.pt.pteObjects(), ...anonFolios],
        });
  // I23 (R21): with a stable-writes swap device, no writable PTE maps a folio under writeback
  if (on('I23') && g && swapInfo(k)?.stableWrites)
    for (const f of k.all(Folio))
      if (f.anon)
        m.always(`${INV.I23} [${f.name}]`, I23(k, f), {
          on: [f.name, f.writablePtesObject(), ...f.fields('writeback')],
        });
}

/**
 * I22: no lost write (R19). A clean page-cache folio of a file whose disk data the scenario keeps
 * holds what the disk holds: a store that reached the folio after writeback cleaned it, and never
 * dirtied it again, is lost (the page is dropped as clean; the file never sees the write).
 * Checked at the end of each execution (a harm at rest); folio_clear_dirty_for_io() asserts the
 * guard half (no writable TLB entry survives folio_mkclean).
 */
export function I22(k: Kernel, as: AddressSpace, index: number): Pred {
  return () => {
    const name = as.page(index);
    if (name === null) return true;
    const f = k.lookup<Folio>(name, 'folio');
    if (f.freed || f.dirty || f.writeback) return true;
    const d = as.disk(index);
    return (
      d === f.content ||
      `${f.name} (${as.name}[${index}]) is clean with ${f.content}, but the disk holds ${d}: the write of ${f.content} is lost`
    );
  };
}

/**
 * I23: stable writeback (R21), the guard half: a folio under writeback to a SWP_STABLE_WRITES
 * device is mapped by no writable PTE. The harm half (its content changed while the device read
 * it) is asserted by the device's write in ops/page_io.ts.
 */
export function I23(_k: Kernel, f: Folio): Pred {
  return () => {
    if (!f.exists() || f.freed || !f.writeback) return true;
    const w = f.mem.read(f.kWPtes) as number;
    return (
      w === 0 || `${w} writable PTE(s) map ${f.name} while it is under writeback to a stable-writes device`
    );
  };
}

export { GUARDS, INV, type InvariantId, invariantId } from './names.ts';

/**
 * I21: rmap completeness (R22). Every present PTE of an anonymous VMA that maps an anon folio is
 * reachable by the folio's rmap walk: the VMA is linked into the folio's anon_vma tree. A PTE
 * outside it cannot be found by reclaim, migration or KSM: they cannot unmap it, and the folio's
 * anon_vma holds no reference for it (kernel-rules.md I21). Scans the VMA's one page table: only
 * registered where a scenario makes a VMA lazy.
 */
export function I21(k: Kernel, v: Vma): Pred {
  return () => {
    if (v.linked) return true;
    for (let a = 0; a < v.mm.pt.size; a++) {
      const p = v.mm.pt.peekPte(a);
      if (p.t !== 'present') continue;
      const f = k.lookup<Folio>(p.folio, 'folio');
      if (f.anon && !f.freed)
        return `${v.mm.pt.name} pte[${a}] maps ${f.name}, but ${v.name} is in no anon_vma tree: rmap cannot find this mapping`;
    }
    return true;
  };
}
