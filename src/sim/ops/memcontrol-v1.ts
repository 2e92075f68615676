import { bug } from '../../explorer/index.ts';
import { guard, SimMisuse, type Task } from '../kernel.ts';
import { type Folio, folio_locked_by_me, folio_mapped } from '../objects/folio.ts';
import type { MemCgroup, MoveCharge } from '../objects/mem_cgroup.ts';
import type { MmStruct } from '../objects/mm_struct.ts';
import type { AddressSpace } from '../objects/page_cache.ts';
import type { Vma } from '../objects/vma.ts';
import { lockAt, site, unlockAt } from '../sites.ts';
import {
  __mem_cgroup_uncharge_swap,
  do_memsw_account,
  get_mem_cgroup_from_mm,
  memcg_mode,
} from './memcontrol.ts';
import type { Op } from './op.ts';
import { folio_add_lru, folio_get, folio_put } from './swap.ts';
import { slotOf } from './swapfile.ts';

/**
 * mm/memcontrol-v1.c: cgroup v1 only: swap accounting at swapout, and charge moving.
 * Read at torvalds/linux commit 04fbe921d3b1 (a v6.11/v6.12 tree: memcg1_can_attach,
 * get_mctgt_type with folio_trylock, the deprecation pr_warn_once). Charge moving was removed
 * in v6.13 (6b611388b626 "memcg-v1: remove charge move code"): in era 'today' it is refused.
 */

/**
 * memcg1_swapout - transfer a swapped-out folio's memory+swap charge to its swap entry
 * (swap_cgroup_record), uncharge memory, clear memcg_data.
 * Kernel: mm/memcontrol.c mem_cgroup_swapout() as read in a mainline-derived v6.12/v6.13-era
 * copy via find_string (repository not named by the index): VM_BUG_ON_FOLIO(folio_test_lru(
 * folio)), VM_BUG_ON_FOLIO(folio_ref_count(folio)) (the refcount is frozen); if
 * !do_memsw_account() return; swap_cgroup_record; folio->memcg_data = 0;
 * page_counter_uncharge(&memcg->memory) (memsw stays charged, now owned by the entry);
 * memcg1_swapout(folio, memcg) for the v1 stats. That helper read at torvalds/linux
 * mm/memcontrol-v1.c 0d892bbbfa1c: VM_WARN_ON_IRQS_ENABLED ("the caller holds the i_pages lock
 * which is taken with interrupts-off"); memcg1_charge_statistics(memcg, -nr);
 * memcg1_check_events. Later trees move the whole of mem_cgroup_swapout() into
 * mm/memcontrol-v1.c as memcg1_swapout(folio, entry) (89ce924f0bd4 "mm: memcontrol: move memsw
 * charge callbacks to v1"), and 2025 patches change it again (objcg, swap_memcg argument)
 * [unverified: that later body is seen only in patch context; no indexed tree holds it].
 * Seed 002 (mem_cgroup_swapout, "before the final put_page() in page reclaim"). Rule R12.
 * Today's form (__memcg1_swapout(folio, ci) @ linux-mm/linux-mm 0454b1057d90, an mm development
 * tree) is the same transfer: "if (!do_memsw_account()) return"; __swap_cgroup_set();
 * folio->memcg_data = 0; page_counter_uncharge(&memcg->memory).
 * Model: cgroup v1 accounting (memsw stays charged, now owned by the swap entry); on cgroup v2
 * it returns at once: the folio keeps its memory charge until the free uncharges it, and the
 * slot's swap charge was taken at folio_alloc_swap() (__mem_cgroup_try_charge_swap).
 */
export function memcg1_swapout(t: Task, f: Folio, entry: string, mutatedEarly: boolean): void {
  if (!mutatedEarly && f.refcount !== 0)
    bug('VM_BUG_ON_FOLIO', `memcg1_swapout: ${f.name} refcount ${f.refcount} is not frozen`);
  const name = f.memcg;
  if (name === null) return;
  const memcg = t.k.lookup<MemCgroup>(name, 'mem_cgroup');
  if (!do_memsw_account(memcg)) return;
  slotOf(t, entry).memcg = name; // swap_cgroup_record
  f.memcg = null;
  memcg.mem.write(memcg.kMemory, memcg.memory - f.nr); // page_counter_uncharge(&memcg->memory)
}

/**
 * memcg1_swapin - cgroup v1: a folio read in for a swap entry now holds a memory+swap charge of
 * its own, so drop the entry's duplicate: clear the entry's memcg record and uncharge its memsw.
 * Kernel: mm/memcontrol-v1.c memcg1_swapin() @ linux-mm/linux-mm 0454b1057d90 ("Cgroup1's unified
 * memory+swap counter has been charged with the new swapcache page, finish the transfer by
 * uncharging the swap slot. The swap slot would also get uncharged when it dies, but it can
 * stick around indefinitely and we'd count the page twice the entire time."; "if
 * (!do_memsw_account()) return"; id = __swap_cgroup_clear(); mem_cgroup_uncharge_swap(id)),
 * called from __swap_cache_alloc() "after successfully adding the charged folio to swapcache";
 * in AMDESE/linux-mm 0be9aa1490e5 mm/memory.c do_swap_page() the SWP_SYNCHRONOUS_IO path calls
 * the earlier form memcg1_swapin(entry, nr_pages) after swapcache_prepare(). That earlier form
 * (mm/memcontrol-v1.c as quoted in a kernel test robot report, 2025) has the same comment and
 * calls mem_cgroup_uncharge_swap(entry, nr_pages), whose swap_cgroup_record(entry, 0) cleared
 * the record [that body recalled, not re-read].
 * Before it moved to memcontrol-v1.c the same code was mem_cgroup_swapin_uncharge_swap(entry,
 * nr_pages) in mm/memcontrol.c (seen in the context of Barry Song's 2024 patch "mm: add nr
 * argument in mem_cgroup_swapin_uncharge_swap() helper to support large folios").
 * Model: one entry; with no memcg in the scenario it does nothing (mem_cgroup_disabled()).
 * Variant: memcg1_swapin_keeps_memsw skips it (the model before issue 11: memsw counts a
 * swapped-in page twice).
 */
export function memcg1_swapin(t: Task, entry: string): void {
  if (memcg_mode(t) !== 'v1') return;
  if (t.mutated('memcg1_swapin_keeps_memsw')) return;
  const s = slotOf(t, entry);
  const id = s.memcg;
  if (id === null) return;
  s.memcg = null; // __swap_cgroup_clear
  __mem_cgroup_uncharge_swap(t, id, 1, `${entry} at swapin`);
}

// --- charge moving (move_charge_at_immigrate) -------------------------------------------------

type Target = { type: 'none' } | { type: 'page'; folio: Folio } | { type: 'swap'; entry: string };
const NONE: Target = { type: 'none' };

/**
 * get_mctgt_type - is the PTE at `addr` a charge-moving target? Called under the PTL.
 * Kernel: mm/memcontrol-v1.c get_mctgt_type() → mc_handle_present_pte() / mc_handle_swap_pte()
 * (find_get_page on the swap cache) / mc_handle_file_pte() @ 04fbe921d3b1 (v6.11/12): with a
 * target, "if (!folio_trylock(folio)) { folio_put(folio); return ret; }" and "page_mapped()
 * must be stable during the move ... if the page is already mapped elsewhere, it can unmap ...
 * Alas, skip moving the page in this case": "if (!pte_present(ptent) && page_mapped(page))".
 * Then MC_TARGET_PAGE if folio_memcg(folio) == mc.from, else MC_TARGET_SWAP if the entry's
 * swap_cgroup record is mc.from. Seed 000 (Hugh: "And matching trylock in mc_handle_present_pte()
 * ... instead of in mem_cgroup_move_account()"). Rule R7.
 * Era 2022 (v6.1): no trylock here (mem_cgroup_move_account trylocked) and no mapped skip.
 * Variant: move_charge_without_trylock (R7) — a non-present PTE's folio without either.
 * Model: the precharge pass (no target) looks without taking a reference.
 */
function get_mctgt_type(t: Task, vma: Vma, addr: number, from: string, target: boolean): Target {
  const p = vma.mm.pt.get(addr);
  let f: Folio | null = null;
  let entry: string | null = null;
  if (p.t === 'present') f = t.k.lookup<Folio>(p.folio, 'folio');
  else if (p.t === 'swap') {
    entry = p.entry;
    const name = slotOf(t, entry).cache;
    if (name !== null) f = t.k.lookup<Folio>(name, 'folio');
  } else if (p.t === 'none' && vma.file !== null) {
    const name = (vma.file as AddressSpace).page(addr); // filemap_get_incore_folio
    if (name !== null) f = t.k.lookup<Folio>(name, 'folio');
  }
  if (f !== null && (f.freed || f.refcount === 0)) f = null; // get_page_unless_zero failed
  if (f !== null && target) {
    folio_get(t, f);
    const checks =
      t.variant.era !== '2022' &&
      site(t.k, 'memcontrol-v1.c:mem_cgroup_move_account:folio_trylock') &&
      !(p.t !== 'present' && t.mutated('move_charge_without_trylock'));
    if (checks) {
      if (!f.lock.tryLock()) {
        folio_put(t, f);
        return NONE;
      }
      if (p.t !== 'present' && folio_mapped(f)) {
        f.lock.release();
        folio_put(t, f);
        return NONE;
      }
    }
  }
  if (f !== null) {
    if (f.memcg === from) return target ? { type: 'page', folio: f } : { type: 'page', folio: f };
    if (target) {
      if (folio_locked_by_me(f)) f.lock.release();
      folio_put(t, f);
    }
  }
  if (entry !== null && slotOf(t, entry).memcg === from) return { type: 'swap', entry };
  return NONE;
}

/**
 * mem_cgroup_move_account - switch a folio's memcg, moving the mapped stats with it if
 * folio_mapped(): "The folio must be locked and not on the LRU."
 * Kernel: mm/memcontrol-v1.c mem_cgroup_move_account() @ 04fbe921d3b1 (VM_BUG_ON_FOLIO(
 * !folio_test_locked), VM_BUG_ON_FOLIO(folio_test_lru); folio_memcg_lock(); "if
 * (folio_mapped(folio)) __mod_lruvec_state(NR_ANON_MAPPED)"; "folio->memcg_data = (unsigned
 * long)to"; __folio_memcg_unlock(from)). Seeds 000, 004. Rules R7, R8.
 * Era 2022 (v6.1): it folio_trylock()ed here (-EBUSY), and rmap's remove and file-add paths took
 * lock_page_memcg() around the mapcount transition (the anon add path only for KSM pages: the
 * folio lock, which the mover holds, serialised anon 0→1), so this folio_memcg_lock section is
 * atomic with respect to rmap: one step. From v6.3 rmap takes no lock: the stats and the switch
 * are two steps.
 * Model: in era 2022 the model takes the memcg lock on the anon add path too; with the mover
 * holding the folio lock that is the same serialisation.
 * Model: only NR_ANON_MAPPED / NR_FILE_MAPPED are modelled; the caller's mc.precharge-- and
 * mc.moved_charge++ are in the switching step.
 */
export function* mem_cgroup_move_account(
  t: Task,
  mc: MoveCharge,
  f: Folio,
  from: MemCgroup,
  to: MemCgroup,
): Op<boolean> {
  const era2022 = t.variant.era === '2022';
  const trylock = era2022 && site(t.k, 'memcontrol-v1.c:mem_cgroup_move_account:folio_trylock');
  if (trylock) {
    yield 'mem_cgroup_move_account: folio_trylock()';
    if (!f.lock.tryLock()) return false; // -EBUSY
  }
  const mutatedLock =
    (!era2022 && t.mutated('move_charge_without_trylock')) ||
    !site(t.k, 'memcontrol-v1.c:mem_cgroup_move_account:folio_trylock');
  const mutatedLru =
    t.mutated('memcg_switch_on_lru') ||
    !site(t.k, 'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:folio_isolate_lru');
  yield 'mem_cgroup_move_account: folio_memcg(folio) == from; folio_memcg_lock(); folio_mapped() → __mod_lruvec_state()';
  if (!mutatedLock && !folio_locked_by_me(f))
    guard(t.k, 'VM_BUG_ON_FOLIO', `mem_cgroup_move_account: ${f.name} not locked`);
  if (!mutatedLru && f.lru) bug('VM_BUG_ON_FOLIO', `mem_cgroup_move_account: ${f.name} is on the LRU`);
  const ok = f.memcg === from.name;
  if (ok && folio_mapped(f)) {
    const key = f.anon ? 'kAnonMapped' : 'kFileMapped';
    from.mem.add(from[key], -f.nr);
    to.mem.add(to[key], f.nr);
  }
  if (!era2022 && ok) {
    f.mem.write(f.kMoving, to.name); // ghost: the stats are now to's
    yield 'mem_cgroup_move_account: folio->memcg_data = to; __folio_memcg_unlock(from)';
    f.mem.write(f.kMoving, null);
  }
  if (ok) {
    f.memcg = to.name;
    mc.mem.write(mc.kPrecharge, mc.precharge - f.nr);
    mc.mem.write(mc.kMoved, mc.moved_charge + f.nr);
  }
  if (trylock) yield f.lock.unlock('mem_cgroup_move_account: folio_unlock()');
  return ok;
}

/**
 * Charge moving of one task's memory from its memcg to `to` when the task is attached to `to`
 * (memory.move_charge_at_immigrate): the precharge pass counts the targets under the PTL and
 * charges `to` (mem_cgroup_do_precharge); the task joins `to`; the move pass walks the page
 * table again under the PTL and moves each target (folio_isolate_lru → mem_cgroup_move_account
 * → folio_putback_lru → folio_unlock → folio_put; swap entries: mem_cgroup_move_swap_account);
 * mem_cgroup_clear_mc cancels the unused precharge and uncharges the moved pages from `from`.
 * Kernel: mm/memcontrol-v1.c memcg1_can_attach() → mem_cgroup_precharge_mc(), memcg1_move_task()
 * → mem_cgroup_move_charge() → mem_cgroup_move_charge_pte_range(), mem_cgroup_clear_mc() @
 * 04fbe921d3b1 (v6.11/12); removed in v6.13. Seeds 000, 004. Rules R7, R8.
 * Model: the process's one VMA; MOVE_ANON | MOVE_FILE; no THP; mmap_lock, mc.lock and the
 * synchronize_rcu() after moving_account++ are not modelled; a precharge never fails; the
 * moved_swap memsw fix-up is left out (I6 checks memory).
 * Variant: memcg_switch_on_lru (R8) skips folio_isolate_lru.
 */
export function* mem_cgroup_move_charge(t: Task, mm: MmStruct, to: MemCgroup): Op {
  const era = t.variant.era;
  if (era !== '2022' && era !== '2023')
    throw new SimMisuse(
      `charge moving exists only in eras '2022' and '2023' (v6.1–v6.12); it was removed in v6.13 and is not modelled for era '${era}'`,
    );
  const mc = t.k.lookup<MoveCharge>('mc', 'move_charge_struct');
  const vma = mm.vma;
  const pt = mm.pt;
  yield 'memcg1_can_attach: mc.from = mem_cgroup_from_task(p); mc.to = memcg';
  const from = get_mem_cgroup_from_mm(t, mm);
  if (from === null || from === to) return;
  mc.mem.write(mc.kFrom, from.name);
  mc.mem.write(mc.kTo, to.name);

  // precharge pass
  const cptl = 'memcontrol-v1.c:mem_cgroup_count_precharge_pte_range:ptl';
  yield lockAt(t.k, cptl, pt.ptl, 'mem_cgroup_count_precharge_pte_range: pte_offset_map_lock()');
  let count = 0;
  for (let a = 0; a < pt.size; a++) if (get_mctgt_type(t, vma, a, from.name, false).type !== 'none') count++;
  yield unlockAt(t.k, cptl, pt.ptl, 'mem_cgroup_count_precharge_pte_range: pte_unmap_unlock()');
  yield 'mem_cgroup_do_precharge: try_charge(mc.to)';
  to.mem.add(to.kMemory, count);
  to.mem.add(to.kMemsw, count);
  mc.mem.write(mc.kPrecharge, count);

  yield 'cgroup_migrate: the task (mm->owner) is attached to mc.to';
  mm.mem.write(mm.kMemcg, to.name);

  // move pass
  yield 'memcg1_move_task: lru_add_drain_all(); atomic_inc(&mc.from->moving_account); synchronize_rcu()';
  from.mem.add(from.kMoving, 1);
  const ptl = 'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:ptl';
  yield lockAt(t.k, ptl, pt.ptl, 'mem_cgroup_move_charge_pte_range: pte_offset_map_lock()');
  for (let a = 0; a < pt.size; a++) {
    yield `mem_cgroup_move_charge_pte_range: get_mctgt_type(pte[${a}])`;
    if (mc.precharge === 0) break;
    const tg = get_mctgt_type(t, vma, a, from.name, true);
    if (tg.type === 'page') {
      const f = tg.folio;
      let isolated = false;
      const lru =
        site(t.k, 'memcontrol-v1.c:mem_cgroup_move_charge_pte_range:folio_isolate_lru') &&
        !t.mutated('memcg_switch_on_lru');
      if (lru) {
        yield 'mem_cgroup_move_charge_pte_range: folio_isolate_lru()';
        if (f.lru) {
          f.lru = false;
          f.refcount = f.refcount + 1;
          isolated = true;
        }
      }
      if (isolated || !lru) {
        yield* mem_cgroup_move_account(t, mc, f, from, to);
        if (isolated) {
          yield 'mem_cgroup_move_charge_pte_range: folio_putback_lru()';
          folio_add_lru(t, f);
          folio_put(t, f);
        }
      }
      yield 'mem_cgroup_move_charge_pte_range: folio_unlock(); folio_put()';
      if (folio_locked_by_me(f)) f.lock.release();
      folio_put(t, f);
    } else if (tg.type === 'swap') {
      // mem_cgroup_move_swap_account: swap_cgroup_cmpxchg(entry, from, to)
      slotOf(t, tg.entry).memcg = to.name;
      mc.mem.write(mc.kPrecharge, mc.precharge - 1);
      mc.mem.add(mc.kMovedSwap, 1);
    }
  }
  yield unlockAt(t.k, ptl, pt.ptl, 'mem_cgroup_move_charge_pte_range: pte_unmap_unlock()');

  yield 'mem_cgroup_clear_mc: cancel mc.precharge on mc.to; uncharge mc.moved_charge from mc.from; atomic_dec(&mc.from->moving_account)';
  const moved = mc.moved_charge;
  const movedSwap = mc.mem.read(mc.kMovedSwap) as number;
  to.mem.add(to.kMemory, -mc.precharge - movedSwap); // moved_swap: "we charged both to->memory and to->memsw"
  to.mem.add(to.kMemsw, -mc.precharge);
  from.mem.add(from.kMemory, -moved);
  from.mem.add(from.kMemsw, -moved - movedSwap);
  from.mem.add(from.kMoving, -1);
  mc.mem.write(mc.kPrecharge, 0);
  mc.mem.write(mc.kMoved, 0);
  mc.mem.write(mc.kMovedSwap, 0);
  mc.mem.write(mc.kFrom, null);
  mc.mem.write(mc.kTo, null);
}
