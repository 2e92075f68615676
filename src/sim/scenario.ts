import { bug, defineModel, type Model, type ModelBuilder, type Scope, until } from '../explorer/index.ts';
import type { ThreadBody } from '../explorer/model.ts';
import { ALL_CHECKS, registerInvariants } from './invariants/index.ts';
import { INV, type InvariantId } from './invariants/names.ts';
import { allocName, Kernel, SimMisuse, Task } from './kernel.ts';
import { AnonVma } from './objects/anon_vma.ts';
import { Folio } from './objects/folio.ts';
import { MemCgroup, MoveCharge } from './objects/mem_cgroup.ts';
import { MmStruct } from './objects/mm_struct.ts';
import { AddressSpace } from './objects/page_cache.ts';
import { ghost, mk_pte, PageTable, PTE_NONE, type Pte, swp_entry_to_pte } from './objects/page_table.ts';
import { RcuReader } from './objects/rcu.ts';
import { SwapSlot } from './objects/swap.ts';
import { SwapInfo } from './objects/swap_info.ts';
import { Tlb } from './objects/tlb.ts';
import { Vma } from './objects/vma.ts';
import { access_remote_vm, user_access } from './ops/access.ts';
import { dup_mmap, mmput } from './ops/fork.ts';
import {
  type GupFlags,
  type GupPage,
  type GupRef,
  get_user_pages,
  gup_one,
  read_gup_page,
  read_gup_ref,
  unpin_user_page,
} from './ops/gup.ts';
import { mem_cgroup_move_charge } from './ops/memcontrol-v1.ts';
import { zap_page_range_single } from './ops/memory.ts';
import { migrate_pages } from './ops/migrate.ts';
import { mprotect } from './ops/mprotect.ts';
import { move_ptes } from './ops/mremap.ts';
import type { Op } from './ops/op.ts';
import { do_writepages } from './ops/page-writeback.ts';
import { madvise_dontneed_single_vma } from './ops/pt_reclaim.ts';
import { anon_vma_alloc, folio_referenced, try_to_unmap } from './ops/rmap.ts';
import { rcu_free_slab } from './ops/slub.ts';
import { clear_refs_soft_dirty } from './ops/task_mmu.ts';
import { truncate_inode_pages_range } from './ops/truncate.ts';
import { folio_isolate_lru, folio_putback_lru, shrink_folio_list } from './ops/vmscan.ts';
import { SITES, type SiteId } from './sites.ts';
import type { Era, Mutation } from './variants.ts';

/**
 * The scenario builder: a chapter block sets up processes, folios, swap, files and memcgs, and
 * the racing kernel operations, in a few readable lines; `scenario()` turns that into an
 * explorer model, so `explore(s)` checks every interleaving.
 *
 * ```ts
 * const s = scenario('exit vs folio_referenced', (k) => {
 *   const A = k.process('A');
 *   const F = k.anonFolio(A, 0, { content: 1 });
 *   k.thread('exit', (t) => t.exit_mmap(A));
 *   k.thread('reclaim', (t) => t.folio_referenced(F));
 * }, { mutate: 'delayed_anon_rmap' });
 * explore(s).verdict; // 'breaks': I5 mapped anon folio keeps its anon_vma alive
 * ```
 */

export interface ScenarioOptions {
  /** The kernel era (default 'today'). */
  era?: Era;
  /** Mutations to switch on (the buggy patches of the threads). */
  mutate?: Mutation | readonly Mutation[];
  /** Invariants to check (default: all of I1–I20 that apply). */
  checks?: readonly InvariantId[];
  /**
   * Check guards too (default true): the kernel-style assertions that restate a rule (lockdep,
   * VM_BUG_ON, I2 mapcount mirrors page tables, I5, I9, I14, …). `false` checks only harms — what
   * a user of the kernel suffers: COW isolation, lost data, use after free or reuse, charges and
   * stats wrong at rest, an oops every kernel config has — so a counterexample is the harm itself.
   */
  guards?: boolean;
  /**
   * Large-folio mapcounts: 'per-page' (CONFIG_PAGE_MAPCOUNT, default: per-page _mapcount and
   * _nr_pages_mapped beside _large_mapcount) or 'no-page-mapcount' (CONFIG_NO_PAGE_MAPCOUNT,
   * v6.15+, era 'today' only: _large_mapcount and the MM-owner slots alone).
   */
  mapcount?: 'per-page' | 'no-page-mapcount';
  /**
   * A synchronisation site to remove (sites.ts, issue 14): its lock becomes a no-op, its re-check
   * is skipped, its declared order is swapped — in any era, without editing the op. An unknown
   * id is SimMisuse. The necessity map runs every scenario with each site elided.
   */
  elide?: SiteId;
}

/** A process: its mm, page table, VMA and (for anonymous memory) anon_vma. */
export interface Process {
  readonly label: string;
  readonly mm: MmStruct;
  readonly pt: PageTable;
  readonly vma: Vma;
  readonly anon_vma: AnonVma | null;
}

export interface ProcessOptions {
  /** Pages in the process's one VMA (default 4). */
  pages?: number;
  /** Map this file (shared, linear) instead of anonymous memory. */
  file?: AddressSpace;
  /** The memcg its folios are charged to. */
  memcg?: MemCgroup;
  /**
   * mTHP sizes (pages) enabled for anonymous faults, e.g. [16, 4]: hugepages-<size>kB/enabled.
   * Anonymous mTHP has no order 1 (THP_ORDERS_ALL_ANON), so sizes are powers of two >= 4.
   */
  mthp?: readonly number[];
}

/** Records the ops of one thread, in order. Each method names the kernel entry point it runs. */
export class ThreadBuilder {
  readonly ops: Array<(t: Task) => Op<unknown>> = [];
  private gupRef: GupRef | null = null;
  /** The mms this thread uses as one of their tasks (load, store, zap, fork, gup, move_charge). */
  readonly uses = new Map<MmStruct, string>();
  /** The mms whose last mm_users reference this thread drops (exit_mmap). */
  readonly exits = new Set<MmStruct>();
  /** This thread moves charges (move_charge): rmap's stat updates become visible steps in era 2023. */
  movesCharge = false;
  /** Record a direct use of p's mm (a task of the process, holding its mm_users reference). */
  private use(p: Process, what: string): void {
    if (this.exits.has(p.mm))
      throw new SimMisuse(
        `mm_users: ${what} after exit_mmap(${p.label}) in the same thread: the process's mm is gone (mmput dropped its last reference)`,
      );
    if (!this.uses.has(p.mm)) this.uses.set(p.mm, what);
  }
  /** A new execution (the thread's ops are built once per exploration): no GUP reference held. */
  resetExecution(): void {
    this.gupRef = null;
    this.gupPage = null;
  }
  /** Run any op (for ops without a shortcut here). */
  run(op: (t: Task) => Op<unknown>): this {
    this.ops.push(op);
    return this;
  }
  /** Wait until `pred` holds (e.g. a child exists only once forked). */
  after(label: string, pred: () => boolean): this {
    return this.run(function* () {
      yield until(label, pred);
    });
  }
  /** A user load from page `addr` (faults as needed); checks I13. */
  load(p: Process, addr: number): this {
    this.use(p, `load(${p.label}, ${addr})`);
    return this.run((t) => user_access(t, p.mm, addr, null));
  }
  /** A user store of `value` to page `addr` (faults as needed). */
  store(p: Process, addr: number, value: number): this {
    this.use(p, `store(${p.label}, ${addr})`);
    return this.run((t) => user_access(t, p.mm, addr, value));
  }
  /**
   * Process exit: the last task's mmput() drops mm_users to 0 and runs exit_mmap() (unless a
   * remote accessor still holds a reference: then its mmput() runs exit_mmap()). No other thread
   * may use `p` directly (load, store, zap, fork, gup, move_charge): refused with SimMisuse, as
   * the kernel runs exit_mmap only when no task uses the mm; use access_remote_vm() to race it.
   */
  exit_mmap(p: Process): this {
    this.use(p, `exit_mmap(${p.label})`);
    this.exits.add(p.mm);
    return this.run((t) => mmput(t, p.mm));
  }
  /**
   * Another process reads (`value` omitted) or writes page `addr` of `p` (/proc/pid/mem):
   * mmget_not_zero(), fault and copy, mmput(). Races exit_mmap(p) legitimately.
   */
  access_remote_vm(p: Process, addr: number, value?: number): this {
    return this.run((t) => access_remote_vm(t, p.mm, addr, value ?? null));
  }
  /** MADV_DONTNEED / partial munmap of some pages: zap_page_range_single(). */
  zap(p: Process, addrs: readonly number[]): this {
    this.use(p, `zap(${p.label})`);
    return this.run((t) => zap_page_range_single(t, p.vma, addrs));
  }
  /** fork(): dup_mmap() from parent into a child made with k.child(). */
  fork(parent: Process, child: Process): this {
    this.use(parent, `fork(${parent.label}, ${child.label})`);
    this.use(child, `fork(${parent.label}, ${child.label})`);
    return this.run((t) => dup_mmap(t, parent.mm, child.mm));
  }
  /**
   * Reclaim's reference check, as shrink_folio_list() runs it: folio_isolate_lru(),
   * folio_referenced() (folio not locked by the caller), folio_putback_lru().
   */
  folio_referenced(f: Folio): this {
    return this.run(function* (t) {
      if (!(yield* folio_isolate_lru(t, f))) return;
      yield* folio_referenced(t, f, false);
      yield* folio_putback_lru(t, f);
    });
  }
  /**
   * Take a folio off its LRU list and put it back, as reclaim's isolate_lru_folios() pass and a
   * putback do (no rmap walk): folio_isolate_lru(), folio_putback_lru().
   */
  isolate_lru(f: Folio): this {
    return this.run(function* (t) {
      if (!(yield* folio_isolate_lru(t, f))) return;
      yield* folio_putback_lru(t, f);
    });
  }
  /** folio_lock(); try_to_unmap(); folio_unlock() (the caller holds a reference). */
  try_to_unmap(f: Folio): this {
    return this.run(function* (t) {
      yield f.lock.lock('folio_lock()');
      yield* try_to_unmap(t, f);
      yield f.lock.unlock('folio_unlock()');
    });
  }
  /** Reclaim of one folio: shrink_folio_list(). */
  shrink_folio_list(f: Folio): this {
    return this.run((t) => shrink_folio_list(t, f));
  }
  /** Reclaim the folio mapped at `addr` now (looked up when the op starts). */
  reclaim(p: Process, addr: number): this {
    return this.run(function* (t) {
      yield 'reclaim: pick the folio mapped at the address (lru list scan)';
      const pte = p.pt.get(addr);
      if (pte.t !== 'present') return false;
      return yield* shrink_folio_list(t, t.k.lookup<Folio>(pte.folio, 'folio'));
    });
  }
  /** truncate(2) of one page: truncate_inode_pages_range(). */
  truncate(file: AddressSpace, index: number): this {
    return this.run((t) => truncate_inode_pages_range(t, file, index));
  }
  /** Migrate folio `f` (compaction / NUMA): migrate_pages() of one folio. Allocates one folio. */
  migrate(f: Folio): this {
    return this.run((t) => migrate_pages(t, f));
  }
  /**
   * Attach process `p` to memcg `to` with memory.move_charge_at_immigrate (cgroup v1, eras
   * '2022' and '2023'): precharge pass, the task joins `to`, move pass, mem_cgroup_clear_mc().
   */
  move_charge(p: Process, to: MemCgroup): this {
    this.use(p, `move_charge(${p.label}) (get_task_mm)`);
    this.movesCharge = true;
    return this.run((t) => mem_cgroup_move_charge(t, p.mm, to));
  }
  /** Another process's anon_vma_prepare(): anon_vma_alloc(), which may reuse a freed anon_vma. */
  anon_vma_alloc(av: AnonVma): this {
    return this.run((t) => anon_vma_alloc(t, av));
  }
  /** vmsplice(): get_user_pages(FOLL_GET) on page `addr`; read it later with readGup(). */
  gup(p: Process, addr: number): this {
    this.use(p, `gup(${p.label}, ${addr})`);
    return this.run((t) => {
      const self = this;
      return (function* () {
        self.gupRef = yield* get_user_pages(t, p.mm, addr);
      })();
    });
  }
  /** mremap() of `n` pages of `p` from `from` to the free range at `to`: move_ptes(). */
  mremap(p: Process, from: number, to: number, n: number): this {
    this.use(p, `mremap(${p.label})`);
    return this.run((t) => move_ptes(t, p.mm, from, to, n));
  }
  /** Read the pipe: the data behind the GUP reference taken by gup(); checks I13. */
  readGup(): this {
    return this.run((t) => {
      const self = this;
      return (function* () {
        const ref = self.gupRef;
        if (ref === null) {
          yield 'pipe read (nothing was pinned)';
          return;
        }
        yield* read_gup_ref(t, ref);
      })();
    });
  }
  /**
   * The freed anon_vma's slab page goes back to the page allocator after an RCU grace period
   * and becomes a page table (mm/slub.c free_slab → call_rcu(rcu_free_slab); seed 004).
   */
  rcu_free_slab(av: AnonVma): this {
    return this.run((t) => rcu_free_slab(t, av));
  }
  /** The page this thread's last get_user_pages()/pin_user_pages() returned (null if it failed). */
  private gupPage: GupPage | null = null;
  private gupOne(p: Process, addr: number, flags: GupFlags, what: string): this {
    this.use(p, `${what}(${p.label}, ${addr})`);
    return this.run((t) => {
      const self = this;
      return (function* () {
        self.gupPage = yield* gup_one(t, p.mm, addr, flags);
      })();
    });
  }
  /**
   * pin_user_pages(FOLL_PIN) of page `addr` (FOLL_WRITE with `write`, FOLL_LONGTERM with
   * `longterm`, pin_user_pages_fast with `fast`): faults in and unshares as mm/gup.c does.
   */
  pin_user_pages(
    p: Process,
    addr: number,
    o: { write?: boolean; longterm?: boolean; fast?: boolean } = {},
  ): this {
    return this.gupOne(p, addr, { ...o, pin: true }, o.fast ? 'pin_user_pages_fast' : 'pin_user_pages');
  }
  /** get_user_pages(FOLL_GET) of page `addr`, faulting it in (get_user_pages_fast with `fast`). */
  get_user_pages(p: Process, addr: number, o: { write?: boolean; fast?: boolean } = {}): this {
    return this.gupOne(p, addr, { ...o, pin: false }, o.fast ? 'get_user_pages_fast' : 'get_user_pages');
  }
  /**
   * Read the page of the last get_user_pages()/pin_user_pages() as its kernel user does, and
   * check it (I13, reported as `failure`): `snapshot` — unchanged since GUP (a vmsplice pipe);
   * `mapped` — what the process last wrote at the address (a longterm pin is reliable).
   */
  readGupPage(want: 'snapshot' | 'mapped', failure: string): this {
    return this.run((t) => {
      const self = this;
      return (function* () {
        const ref = self.gupPage;
        if (ref === null) bug(INV.I13, `${failure}: GUP failed, nothing to read`);
        else yield* read_gup_page(t, ref, want, failure);
      })();
    });
  }
  /** unpin_user_page() (FOLL_PIN) or put_page() (FOLL_GET) of the last GUP page. */
  unpin_user_page(): this {
    return this.run((t) => {
      const self = this;
      return (function* () {
        const ref = self.gupPage;
        if (ref === null) return;
        self.gupPage = null;
        yield* unpin_user_page(t, ref);
      })();
    });
  }
  /** mprotect(2) of p's VMA: PROT_READ ('r') or PROT_READ|PROT_WRITE ('rw'). */
  mprotect(p: Process, prot: 'r' | 'rw'): this {
    this.use(p, `mprotect(${p.label})`);
    return this.run((t) => mprotect(t, p.mm, prot === 'rw'));
  }
  /** echo 4 > /proc/pid/clear_refs: arm soft-dirty tracking (the selftests' clear_softdirty()). */
  clear_refs_soft_dirty(p: Process): this {
    this.use(p, `clear_refs_soft_dirty(${p.label})`);
    return this.run((t) => clear_refs_soft_dirty(t, p.mm));
  }
  /**
   * MADV_DONTNEED with PT reclaim (v6.14+, R20): zap `addrs`; if they cover the whole table and
   * left it empty, detach it from the PMD and free it after a grace period.
   */
  madvise_dontneed(p: Process, addrs: readonly number[]): this {
    this.use(p, `madvise_dontneed(${p.label})`);
    return this.run((t) => madvise_dontneed_single_vma(t, p.vma, addrs));
  }
  /** A flusher or fsync writes page `index` of `file` back: do_writepages() of one folio (R19). */
  writeback(file: AddressSpace, index: number): this {
    return this.run((t) => do_writepages(t, file, index));
  }
}

/** Handed to a scenario's setup: creates the kernel objects and the threads. */
export class ScenarioBuilder {
  readonly k: Kernel;
  private nFolio = 0;
  private nSlot = 0;
  private nFile = 0;
  private readonly threads: Array<{ name: string; tb: ThreadBuilder; alloc: number }> = [];
  private readonly checks: Array<{
    kind: 'always' | 'sometimes';
    name: string;
    pred: () => boolean | string;
    on?: Scope[];
  }> = [];

  constructor(
    readonly m: ModelBuilder,
    opts: ScenarioOptions,
  ) {
    this.k = new Kernel(m, opts);
  }

  /** A new execution of the scenario built by this builder: reset the state kept outside memory. */
  resetExecution(): void {
    this.k.resetExecution();
    for (const th of this.threads) th.tb.resetExecution();
  }

  /**
   * A memory cgroup, in cgroup v1 (default: memory+swap counted in `memsw`) or v2 (`{ v2: true }`:
   * a separate `swap` counter). do_memsw_account() is system-wide, so all memcgs of a scenario
   * must share one hierarchy.
   */
  memcg(name: string, opts: { v2?: boolean } = {}): MemCgroup {
    const v2 = opts.v2 ?? false;
    const other = this.k.all(MemCgroup)[0];
    if (other !== undefined && other.v2 !== v2)
      throw new SimMisuse(
        `memcg ${name}: cgroup ${v2 ? 'v2' : 'v1'}, but ${other.name} is cgroup ${other.v2 ? 'v2' : 'v1'}: do_memsw_account() is system-wide`,
      );
    const c = this.k.register(new MemCgroup(this.k, `memcg#${name}`, v2));
    c.init();
    if (!this.k.has('mc')) this.k.register(new MoveCharge(this.k)).init();
    return c;
  }

  /**
   * A file (address_space) of `pages` pages. `disk`: keep the file's data on disk, which
   * writeback updates (R19; checked by I22: a clean page-cache folio holds the disk's data).
   */
  file(pages = 4, opts: { disk?: boolean } = {}): AddressSpace {
    const as = this.k.register(new AddressSpace(this.k, `file#${++this.nFile}`, pages));
    as.init();
    if (opts.disk) as.initDisk();
    return as;
  }

  /** A process with one VMA: anonymous (with its anon_vma) or a shared mapping of `file`. */
  process(label: string, opts: ProcessOptions = {}): Process {
    return this.makeProcess(label, opts, null);
  }

  /**
   * A child of `parent` that does not exist yet: a thread runs t.fork(parent, child). Its VMA
   * joins the parent's anon_vma when forked.
   */
  child(parent: Process, label: string, opts: { memcg?: MemCgroup } = {}): Process {
    const memcg = opts.memcg ?? parent.mm.memcg ?? undefined;
    return this.makeProcess(label, { pages: parent.pt.size, memcg }, parent);
  }

  /** A child already forked from `parent`: its PTEs are shared write-protected copies. */
  forked(parent: Process, label: string, opts: { memcg?: MemCgroup } = {}): Process {
    const c = this.child(parent, label, opts);
    const k = this.k;
    const mem = k.mem;
    if (parent.anon_vma) {
      this.k.setup(c.vma.kLinked, true);
      this.k.setup(parent.anon_vma.kRef, (mem.peekValue(parent.anon_vma.kRef) as number) + 1);
    }
    for (let a = 0; a < parent.pt.size; a++) {
      const p = mem.peekValue(parent.pt.kPte[a]) as ReturnType<PageTable['peekPte']>;
      if (p.t === 'present') {
        const f = k.lookup<Folio>(p.folio, 'folio');
        this.k.setup(f.kRef, (mem.peekValue(f.kRef) as number) + 1);
        if (f.nr === 1 || this.k.pageMapcount)
          this.k.setup(f.kMap[p.page], (mem.peekValue(f.kMap[p.page]) as number) + 1);
        if (f.anon) this.k.setup(p.page === 0 ? f.kExclusive : f.kPageExcl[p.page], false);
        if (f.nr > 1) this.addLargeMappingAtSetup(f, c.mm.name, 1);
        this.k.setup(parent.pt.kPte[a], mk_pte(p.folio, p.page, false));
        this.k.setup(c.pt.kPte[a], mk_pte(p.folio, p.page, false));
      } else if (p.t === 'swap') {
        const s = k.lookup<SwapSlot>(p.entry, 'swap entry');
        this.k.setup(s.kCount, (mem.peekValue(s.kCount) as number) + 1);
        this.k.setup(parent.pt.kPte[a], swp_entry_to_pte(p.entry, false));
        this.k.setup(c.pt.kPte[a], swp_entry_to_pte(p.entry, false));
      }
      this.k.setup(c.mm.kExpect[a], mem.peekValue(parent.mm.kExpect[a]));
    }
    return c;
  }

  private makeProcess(label: string, opts: ProcessOptions, parent: Process | null): Process {
    const k = this.k;
    const pages = opts.pages ?? 4;
    const mm = k.register(new MmStruct(k, `mm#${label}`, label, pages));
    mm.init();
    mm.memcg = opts.memcg ?? null;
    if (mm.memcg) k.setup(mm.kMemcg, mm.memcg.name);
    const pt = k.register(new PageTable(k, `pt#${label}`, pages));
    pt.init();
    let av: AnonVma | null = null;
    if (parent) av = parent.anon_vma;
    else if (!opts.file) {
      av = k.register(new AnonVma(k, `anon_vma#${label}`));
      av.init(1);
    }
    const vma = k.register(new Vma(k, `vma#${label}`, mm, av, opts.file ?? null, opts.file !== undefined));
    vma.init(parent === null);
    if (opts.mthp) {
      for (const n of opts.mthp)
        if (!(n >= 4 && (n & (n - 1)) === 0 && n <= pages))
          throw new SimMisuse(
            `mthp size ${n}: anonymous mTHP sizes are powers of two from 4 pages (THP_ORDERS_ALL_ANON has no order 0 or 1) up to the VMA's ${pages} pages`,
          );
      vma.thp_sizes = [...opts.mthp].sort((a, b) => b - a);
    }
    av?.vmas.push(vma);
    opts.file?.vmas.push(vma);
    mm.pt = pt;
    mm.vma = vma;
    return { label, mm, pt, vma, anon_vma: av };
  }

  /**
   * An anonymous folio mapped at `addr` of `p` (pages addr..addr+nr-1 for a large folio), with
   * `content`, charged to the process's memcg, on the LRU; exclusive unless shared later.
   */
  anonFolio(
    p: Process,
    addr: number,
    opts: { content?: number; nr?: number; writable?: boolean } = {},
  ): Folio {
    if (p.anon_vma === null) throw new SimMisuse(`${p.label} has no anonymous VMA`);
    const nr = opts.nr ?? 1;
    const f = this.k.register(new Folio(this.k, `folio#${++this.nFolio}`, true, nr));
    const content = opts.content ?? this.nFolio;
    f.init({ mapping: p.anon_vma.name, content, memcg: p.mm.memcg?.name ?? null, refcount: nr });
    for (let i = 0; i < nr; i++) {
      if (nr === 1 || this.k.pageMapcount) this.k.setup(f.kMap[i], 1);
      this.k.setup(p.pt.kPte[addr + i], mk_pte(f.name, i, nr === 1 && opts.writable !== false));
      this.k.setup(p.mm.kExpect[addr + i], content);
    }
    if (nr > 1) {
      this.k.setup(f.kLargeMap, nr);
      if (this.k.pageMapcount) this.k.setup(f.kNrMapped, nr);
      if (this.k.mmId) {
        this.k.setup(f.kMmId[0], p.mm.name);
        this.k.setup(f.kMmIdMapcount[0], nr);
      }
    }
    this.k.setup(f.kExclusive, nr === 1);
    this.k.setup(f.kLru, true);
    this.k.setup(f.kLruvec, p.mm.memcg?.name ?? null);
    this.chargeAtSetup(f, p.mm.memcg, true);
    return f;
  }

  /**
   * Page `addr` of `p` swapped out to a new slot: the data was written (`written`, default
   * true), and/or a folio still sits in the swap cache (`cached`). Returns the slot and folio.
   */
  swapped(
    p: Process,
    addr: number,
    opts: {
      content?: number;
      cached?: boolean;
      written?: boolean;
      exclusive?: boolean;
      /** The swap device is SWP_SYNCHRONOUS_IO (see swapSlot). */
      synchronous?: boolean;
    } = {},
  ): { slot: SwapSlot; folio: Folio | null } {
    const content = opts.content ?? ++this.nFolio + 100;
    const slot = this.swapSlot({ synchronous: opts.synchronous });
    let folio: Folio | null = null;
    if (opts.cached) {
      folio = this.k.register(new Folio(this.k, `folio#${++this.nFolio}`, true, 1));
      folio.init({
        mapping: p.anon_vma?.name ?? null,
        content,
        memcg: p.mm.memcg?.name ?? null,
        refcount: 1,
      });
      this.k.setup(folio.kSwapcache, true);
      this.k.setup(folio.kSwap, slot.name);
      this.k.setup(folio.kLru, true);
      this.k.setup(folio.kDirty, opts.written === false);
      this.k.setup(slot.kCache, folio.name);
      this.k.setup(slot.kHasCache, true);
      // 2008: a swap-cache page is charged at its first map (seed 001)
      const memcg = this.k.variant.era === '2008' ? null : p.mm.memcg;
      if (memcg === null) this.k.setup(folio.kMemcg, null);
      this.k.setup(folio.kLruvec, memcg?.name ?? null);
      this.chargeAtSetup(folio, memcg, false);
      // cgroup v2: the slot was swap-charged when it was allocated, and stays so until freed
      if (memcg?.v2) this.swapChargeAtSetup(slot, memcg);
    } else if (p.mm.memcg) this.swapChargeAtSetup(slot, p.mm.memcg);
    this.k.setup(slot.kCount, 1);
    this.k.setup(slot.kData, opts.written === false ? null : content);
    this.k.setup(p.pt.kPte[addr], swp_entry_to_pte(slot.name, opts.exclusive ?? true));
    this.k.setup(p.mm.kExpect[addr], content);
    return { slot, folio };
  }

  /**
   * A free swap slot (folio_alloc_swap takes the lowest free one). `synchronous`: the swap device
   * is SWP_SYNCHRONOUS_IO (do_swap_page may skip the swap cache); one device, so all slots of a
   * scenario must agree.
   */
  swapSlot(opts: { synchronous?: boolean } = {}): SwapSlot {
    const sync = opts.synchronous ?? false;
    const other = this.k.all(SwapSlot)[0];
    if (other !== undefined && other.sync_io !== sync)
      throw new SimMisuse(
        `swap slot swp#${this.nSlot}: the model has one swap device, and ${other.name} is ${other.sync_io ? '' : 'not '}SWP_SYNCHRONOUS_IO`,
      );
    const s = this.k.register(new SwapSlot(this.k, `swp#${this.nSlot++}`, sync));
    s.init();
    return s;
  }

  /** A page-cache folio of `file` at `index` (uptodate, unmapped, on the LRU). */
  fileFolio(file: AddressSpace, index: number, opts: { content?: number; memcg?: MemCgroup } = {}): Folio {
    const f = this.k.register(new Folio(this.k, `folio#${++this.nFolio}`, false, 1));
    f.init({
      mapping: file.name,
      content: opts.content ?? this.nFolio,
      memcg: opts.memcg?.name ?? null,
      refcount: 1,
    });
    this.k.setup(file.kPages[index], f.name);
    if (file.hasDisk) this.k.setup(file.kDisk[index], f.content); // read from disk: clean
    this.k.setup(f.kLru, true);
    this.k.setup(f.kLruvec, opts.memcg?.name ?? null);
    this.chargeAtSetup(f, opts.memcg ?? null, false);
    return f;
  }

  /**
   * Map an existing page-cache folio at `addr` of `p`: read-only, or `writable` (and dirty) as a
   * write fault on the shared mapping leaves it (do_shared_fault: the folio is marked dirty too).
   */
  mapFile(p: Process, f: Folio, addr: number, opts: { writable?: boolean } = {}): void {
    const mem = this.k.mem;
    this.k.setup(p.pt.kPte[addr], mk_pte(f.name, 0, opts.writable === true));
    if (opts.writable) this.k.setup(f.kDirty, true);
    this.k.setup(f.kMap[0], (mem.peekValue(f.kMap[0]) as number) + 1);
    this.k.setup(f.kRef, (mem.peekValue(f.kRef) as number) + 1);
    this.k.setup(p.mm.kExpect[addr], mem.peekValue(f.kContent));
    const c = f.memcg;
    if (c !== null && mem.peekValue(f.kMap[0]) === 1) {
      const memcg = this.k.lookup<MemCgroup>(c, 'mem_cgroup');
      this.k.setup(memcg.kFileMapped, (mem.peekValue(memcg.kFileMapped) as number) + 1);
    }
  }

  /**
   * A swapped-out slot's swap charge at setup: the slot records `memcg`, which pays for it in
   * memsw (cgroup v1: memcg1_swapout moved the folio's memory+swap charge to the entry) or in
   * swap (v2: __mem_cgroup_try_charge_swap at folio_alloc_swap).
   */
  private swapChargeAtSetup(slot: SwapSlot, memcg: MemCgroup): void {
    const mem = this.k.mem;
    this.k.setup(slot.kMemcg, memcg.name);
    const key = memcg.v2 ? memcg.kSwap : memcg.kMemsw;
    const v = (mem.peekValue(key) as number) + 1;
    this.k.setup(key, v);
    if (memcg.v2 && v > (mem.peekValue(memcg.kSwapPeak) as number)) this.k.setup(memcg.kSwapPeak, v);
  }

  private chargeAtSetup(f: Folio, memcg: MemCgroup | null, mapped: boolean): void {
    if (memcg === null) return;
    const mem = this.k.mem;
    const memory = (mem.peekValue(memcg.kMemory) as number) + f.nr;
    this.k.setup(memcg.kMemory, memory);
    if (memory > (mem.peekValue(memcg.kMemoryPeak) as number)) this.k.setup(memcg.kMemoryPeak, memory);
    if (!memcg.v2) this.k.setup(memcg.kMemsw, (mem.peekValue(memcg.kMemsw) as number) + f.nr);
    if (mapped) {
      const key = f.anon ? memcg.kAnonMapped : memcg.kFileMapped;
      this.k.setup(key, (mem.peekValue(key) as number) + f.nr);
    }
  }

  /**
   * A thread running `body`'s ops in order. `alloc` reserves names for the folios it may
   * allocate (COW copies, anonymous faults, swapins), so invariants can be scoped to them.
   */
  thread(name: string, body: (t: ThreadBuilder) => void, opts: { alloc?: number } = {}): void {
    const tb = new ThreadBuilder();
    body(tb);
    this.threads.push({ name, tb, alloc: opts.alloc ?? 1 });
  }

  /**
   * A thread's RCU read-side state (`rcu#<thread>`): `.reader` is true inside its
   * rcu_read_lock() section. Pass it in a check's scope like any kernel object.
   */
  rcuReader(thread: string): { readonly name: string; readonly reader: boolean } {
    const k = this.k;
    const name = `rcu#${thread}`;
    return {
      name,
      get reader() {
        return k.lookup<RcuReader>(name, 'RCU reader (a thread of this scenario)').reader;
      },
    };
  }

  /** The charge-moving state (cgroup v1 `mc`): `from`, `to`, `precharge`, `moved_charge`. */
  mc(): MoveCharge {
    return this.k.lookup<MoveCharge>('mc', 'mc (create a memcg first)');
  }

  /** A folio a thread allocates (its n-th, `folio#<thread>.<n>`), to use in checks; null until allocated. */
  allocated(thread: string, n = 1): Folio | null {
    // Checks call this after every step: the reserved folio is looked up by name once.
    let byN = this.reserved.get(thread);
    if (byN === undefined) this.reserved.set(thread, (byN = []));
    let f = byN[n];
    if (f === undefined) {
      f = this.k.find<Folio>(allocName(thread, n)) ?? null;
      if (f !== null) byN[n] = f;
    }
    return f?.exists() ? f : null;
  }
  private readonly reserved = new Map<string, Array<Folio | null | undefined>>();

  /** A large folio of `nr` pages a thread allocates as its n-th allocation (an mTHP fault); null until allocated. */
  allocatedLarge(thread: string, n: number, nr: number): Folio | null {
    const name = allocName(thread, n, nr);
    const f = this.k.find<Folio>(name) ?? null;
    return f?.exists() ? f : null;
  }

  /** A witness: must hold in some reachable state (proves the racy window is entered). */
  sometimes(name: string, pred: () => boolean, on?: Array<{ name: string } | string>): void {
    this.checks.push({ kind: 'sometimes', name, pred, on: on?.map(scopeName) });
  }

  /** An extra invariant of the scenario. */
  always(name: string, pred: () => boolean | string, on?: Array<{ name: string } | string>): void {
    this.checks.push({ kind: 'always', name, pred, on: on?.map(scopeName) });
  }

  /**
   * folio_add_return_large_mapcount() at setup time (see ops/rmap_large.ts): `diff` more
   * mappings of a large folio from mm `mm`.
   */
  private addLargeMappingAtSetup(f: Folio, mm: string, diff: number): void {
    const k = this.k;
    const peek = (key: number) => k.mem.peekValue(key);
    const before = peek(f.kLargeMap) as number;
    k.setup(f.kLargeMap, before + diff);
    if (!k.mmId) return;
    for (const idx of [0, 1] as const)
      if (peek(f.kMmId[idx]) === mm) {
        k.setup(f.kMmIdMapcount[idx], (peek(f.kMmIdMapcount[idx]) as number) + diff);
        return;
      }
    for (const idx of [0, 1] as const)
      if (peek(f.kMmId[idx]) === null) {
        k.setup(f.kMmId[idx], mm);
        k.setup(f.kMmIdMapcount[idx], diff);
        if (idx === 1 || before !== 0) k.setup(f.kMmShared, true);
        return;
      }
  }

  /**
   * A PTE-mapped THP (mTHP) of `nr` pages at `addr..addr+nr-1` of `p`: the state a first write
   * fault leaves with the `nr`-page size enabled (do_anonymous_page → alloc_anon_folio,
   * folio_add_new_anon_rmap(RMAP_EXCLUSIVE), set_ptes writable; ops/memory.ts): refcount nr,
   * every page mapped once and PageAnonExclusive, MM-owner slot 0 = `p`, charged, on the LRU.
   * Page i holds `content + i` (default content: 100 × the folio's number), so a wrong page
   * shows. cow.c's "PTE-mapped THP" setup (THP_RUN_PTE). `nr` is a power of two >= 4 (anonymous
   * mTHP has no order 1) and `addr` is aligned to it (thp_vma_suitable_order).
   */
  thp(p: Process, addr: number, nr: number, opts: { content?: number } = {}): Folio {
    const k = this.k;
    if (p.anon_vma === null) throw new SimMisuse(`${p.label} has no anonymous VMA`);
    if (!(nr >= 4 && (nr & (nr - 1)) === 0))
      throw new SimMisuse(
        `thp(${nr}): anonymous mTHP sizes are powers of two from 4 pages (no order 0 or 1)`,
      );
    if (addr % nr !== 0 || addr + nr > p.pt.size)
      throw new SimMisuse(
        `thp(${nr}) at ${addr}: not naturally aligned inside ${p.label}'s ${p.pt.size} pages`,
      );
    const f = k.register(new Folio(k, `folio#${++this.nFolio}`, true, nr));
    const base = opts.content ?? this.nFolio * 100;
    f.init({ mapping: p.anon_vma.name, content: base, memcg: p.mm.memcg?.name ?? null, refcount: nr });
    for (let i = 0; i < nr; i++) {
      if (k.pageMapcount) k.setup(f.kMap[i], 1);
      if (i > 0) k.setup(f.kPageContent[i], base + i);
      k.setup(i === 0 ? f.kExclusive : f.kPageExcl[i], true);
      k.setup(p.pt.kPte[addr + i], mk_pte(f.name, i, true));
      k.setup(p.mm.kExpect[addr + i], base + i);
    }
    if (k.pageMapcount) k.setup(f.kNrMapped, nr);
    this.addLargeMappingAtSetup(f, p.mm.name, nr);
    k.setup(f.kLru, true);
    k.setup(f.kLruvec, p.mm.memcg?.name ?? null);
    this.chargeAtSetup(f, p.mm.memcg, true);
    return f;
  }

  /**
   * cow.c's "single PTE of a THP" (THP_RUN_SINGLE_PTE): a PTE-mapped THP whose pages but the
   * first were discarded with MADV_DONTNEED (zap_pte_range → folio_remove_rmap_ptes, the
   * mmu_gather's folio_put per page): one writable PTE maps page 0; refcount 1, mapcount 1; the
   * stat counts 1 page with per-page mapcounts, the whole folio without (CONFIG_NO_PAGE_MAPCOUNT
   * accounts "the complete folio as mapped" while any page is). Deferred split is not modelled.
   */
  thpSinglePte(p: Process, addr: number, nr: number, opts: { content?: number } = {}): Folio {
    const k = this.k;
    const f = this.thp(p, addr, nr, opts);
    for (let i = 1; i < nr; i++) {
      if (k.pageMapcount) k.setup(f.kMap[i], 0);
      k.setup(p.pt.kPte[addr + i], PTE_NONE);
      k.setup(p.mm.kExpect[addr + i], 0); // a zapped anonymous page reads as zero
    }
    k.setup(f.kLargeMap, 1);
    if (k.pageMapcount) k.setup(f.kNrMapped, 1);
    if (k.mmId) k.setup(f.kMmIdMapcount[0], 1);
    k.setup(f.kRef, 1);
    const memcg = p.mm.memcg;
    if (memcg && k.pageMapcount)
      k.setup(memcg.kAnonMapped, (k.mem.peekValue(memcg.kAnonMapped) as number) - (nr - 1));
    return f;
  }

  /**
   * cow.c's "partially shared THP" (THP_RUN_PARTIAL_SHARED): MADV_DONTFORK on all pages but the
   * first, fork(), the child exits at once. Page 0 was shared: fork cleared its
   * PageAnonExclusive and write-protected the parent's PTE (copy_present_ptes); the child's exit
   * gave its mapping back, so refcount and mapcounts are the THP's again and, with MM-owner
   * tracking, the folio is "mapped exclusively" again (folio_sub_return_large_mapcount: one slot
   * owns all mappings). Pages 1.. were never shared: still PageAnonExclusive and writable.
   */
  thpPartiallyShared(p: Process, addr: number, nr: number, opts: { content?: number } = {}): Folio {
    const f = this.thp(p, addr, nr, opts);
    this.k.setup(f.kExclusive, false);
    this.k.setup(p.pt.kPte[addr], mk_pte(f.name, 0, false));
    return f;
  }

  /**
   * cow.c's "partially mremap()'ed THP" (THP_RUN_PARTIAL_MREMAP): the upper half of a
   * PTE-mapped THP at `addr` moved to `to..` (mremap(MREMAP_MAYMOVE | MREMAP_FIXED) → move_ptes:
   * the PTEs move, the folio's mapcounts and references stay). The old range is left unmapped
   * (expect null: the kernel's VMA is gone there); the test then runs on the first half at `addr`.
   */
  thpPartiallyRemapped(
    p: Process,
    addr: number,
    nr: number,
    to: number,
    opts: { content?: number } = {},
  ): Folio {
    const k = this.k;
    const half = nr / 2;
    if (to < 0 || to + half > p.pt.size || (to < addr + nr && addr < to + half))
      throw new SimMisuse(`thpPartiallyRemapped: ${to}..${to + half - 1} is not a free range of ${p.label}`);
    const f = this.thp(p, addr, nr, opts);
    for (let i = 0; i < half; i++) {
      const from = addr + half + i;
      k.setup(p.pt.kPte[to + i], k.mem.peekValue(p.pt.kPte[from]));
      k.setup(p.mm.kExpect[to + i], k.mem.peekValue(p.mm.kExpect[from]));
      k.setup(p.pt.kPte[from], PTE_NONE);
      k.setup(p.mm.kExpect[from], null);
    }
    return f;
  }

  /**
   * cow.c's "swapped-out, PTE-mapped THP" (THP_RUN_PTE_SWAPOUT): the state reclaim of a
   * PTE-mapped THP of `nr` pages at `addr` leaves (shrink_folio_list: folio_alloc_swap of nr
   * aligned entries, try_to_unmap, pageout, __remove_mapping; ops/vmscan.ts): nr new swap slots
   * holding pages `content + i`, exclusive swap PTEs (every page was PageAnonExclusive), no
   * folio. Returns the slots, page 0's first. The slots are new: create any other slot after.
   */
  thpSwappedOut(p: Process, addr: number, nr: number, opts: { content?: number } = {}): SwapSlot[] {
    if (!(nr >= 4 && (nr & (nr - 1)) === 0) || addr % nr !== 0 || addr + nr > p.pt.size)
      throw new SimMisuse(
        `thpSwappedOut(${nr}) at ${addr}: not an aligned anonymous mTHP range of ${p.label}`,
      );
    if (this.nSlot % nr !== 0)
      throw new SimMisuse(
        `thpSwappedOut: the ${nr} entries must be naturally aligned: create it before other slots`,
      );
    const base = opts.content ?? ++this.nFolio * 100;
    return Array.from({ length: nr }, (_, i) => {
      const s = this.swapSlot();
      this.k.setup(s.kCount, 1);
      this.k.setup(s.kData, base + i);
      if (p.mm.memcg) this.k.setup(s.kMemcg, p.mm.memcg.name);
      this.k.setup(p.pt.kPte[addr + i], swp_entry_to_pte(s.name, true));
      this.k.setup(p.mm.kExpect[addr + i], base + i);
      return s;
    });
  }

  /** Build threads and checks (called once the user's setup has run). */
  finish(checks: ReadonlySet<InvariantId>): void {
    const k = this.k;
    // mm_users: exit_mmap runs only when no task uses the mm (kernel/fork.c mmput), so a
    // thread using the mm directly cannot race another thread's exit of it.
    for (const ex of this.threads)
      for (const mm of ex.tb.exits)
        for (const th of this.threads) {
          const what = th.tb.uses.get(mm);
          if (th !== ex && what !== undefined)
            throw new SimMisuse(
              `mm_users: thread '${th.name}' runs ${what} while thread '${ex.name}' runs exit_mmap(${mm.label}); ` +
                `the kernel tears an mm down only when mm_users is 0, i.e. no task uses it: ` +
                `race the exit with t.access_remote_vm(${mm.label}, addr) (mmget_not_zero) instead`,
            );
        }
    // The ghost PTE counters of the initial page tables (PageTable.set keeps them afterwards).
    for (const pt of k.all(PageTable)) for (const key of pt.kPte) ghost(k, k.mem.peekValue(key) as Pte, 1);
    // Reserve each thread's allocations (and a large folio of each enabled mTHP size per
    // allocation), and give every task its RCU state.
    const sizes = [...new Set(k.all(Vma).flatMap((v) => v.thp_sizes))];
    for (const th of this.threads)
      for (let i = 1; i <= th.alloc; i++) {
        k.register(new Folio(k, allocName(th.name, i), true, 1));
        for (const nr of sizes) k.register(new Folio(k, allocName(th.name, i, nr), true, nr));
      }
    // rmap's stat update: a step of its own where a charge mover can run between it and the
    // mapcount transition — era 2023 (v6.3–v6.12: no lock_page_memcg() in rmap), or era 2022
    // without that lock (the site elided, or Linus's proposal: memcg_lock_before_stats_only).
    k.statsOwnStep =
      k.variant.mutations.has('memcg_lock_before_stats_only') ||
      (k.variant.era === '2022' && k.elide === 'rmap.c:page_remove_rmap:lock_page_memcg') ||
      (k.variant.era === '2023' && this.threads.some((th) => th.tb.movesCharge));
    this.threads.forEach((th, tid) => {
      const task = new Task(k, th.name, tid, th.alloc);
      task.rcu = k.register(new RcuReader(k, th.name));
      task.rcu.init();
      k.tasks.push(task);
      const ops = th.tb.ops;
      if (k.statsOwnStep)
        this.m.thread(th.name, function* () {
          for (const op of ops) yield* statsAfterTransition(task, op(task));
        });
      else if (ops.length === 1)
        // one op: it is the thread's body (one yield* level less on every resume)
        this.m.thread(th.name, () => ops[0](task) as ThreadBody);
      else
        this.m.thread(th.name, function* () {
          for (const op of ops) yield* op(task);
        });
    });
    registerInvariants(k, checks);
    for (const c of this.checks) {
      if (c.kind === 'always') this.m.always(c.name, c.pred, c.on ? { on: c.on } : {});
      else this.m.sometimes(c.name, c.pred as () => boolean, c.on ? { on: c.on } : {});
    }
  }

  /**
   * Another CPU running one of `p`'s threads holds a writable, dirty TLB entry for page `addr`
   * (the PTE there must be present and writable): a store by `p` lands in the folio without a
   * page-table walk until a TLB flush drops the entry (R19).
   */
  tlbEntry(p: Process, addr: number): void {
    const pte = this.k.mem.peekValue(p.pt.kPte[addr]) as Pte;
    if (pte.t !== 'present' || !pte.write)
      throw new SimMisuse(`tlbEntry(${p.label}, ${addr}): the PTE must be present and writable`);
    const name = `tlb#${p.label}`;
    const tlb = this.k.has(name)
      ? this.k.lookup<Tlb>(name, 'tlb')
      : this.k.register(new Tlb(this.k, name, p.pt.size));
    if (!this.k.mem.isLive(tlb.kEntry[addr])) tlb.init();
    this.k.setup(tlb.kEntry[addr], pte.folio);
  }

  /**
   * The swap device (swapon): `stableWrites` is SWP_STABLE_WRITES (zram). With a declared device,
   * reclaim's pageout writes through swap_writeout(), the folio unlocked under writeback (R21).
   */
  swapDevice(opts: { stableWrites?: boolean } = {}): SwapInfo {
    return this.k.register(new SwapInfo(this.k, opts.stableWrites === true));
  }

  /**
   * `p`'s anonymous VMA starts without an anon_vma (never written yet): the first write fault's
   * anon_vma_prepare() attaches it; faults take the per-VMA read lock (lock_vma_under_rcu, with
   * the mmap_lock fallback) and fork takes mmap_write_lock and vma_start_write (R22).
   */
  lazyAnonVma(p: Process): void {
    if (p.anon_vma === null) throw new SimMisuse(`lazyAnonVma(${p.label}): anonymous processes only`);
    p.vma.initLazy();
    p.mm.initMmapLock();
    this.k.setup(p.vma.kLinked, false);
  }

  /**
   * Model `p`'s PMD (R20): faults find the PTE table through it under RCU (pte_offset_map_lock),
   * PT reclaim (t.madvise_dontneed) can detach it, and pte_alloc() then installs a fresh table
   * (`pt#<label>.1`). Anonymous processes only.
   */
  pmd(p: Process): PageTable {
    if (p.vma.file !== null) throw new SimMisuse(`pmd(${p.label}): anonymous processes only`);
    const spare = this.k.register(new PageTable(this.k, `${p.pt.name}.1`, p.pt.size));
    spare.init();
    p.mm.initPmd(p.pt, spare);
    return spare;
  }
}

/**
 * rmap's stat updates in a step of their own after the mapcount transition, still inside the
 * caller's PTL section (Kernel.statsOwnStep): v6.3–v6.12's page_remove_rmap() (atomic_add_negative,
 * then __lruvec_stat_mod_folio, nothing the mover takes between; mm/rmap.c as "[PATCH 2/3] mm:
 * rmap: remove lock_page_memcg()" of 2022-12-06 leaves it, read in Hugh Dickins' reply quoting the
 * diff; merged for v6.3-rc1 per Andrew Morton's pull of 2023-02-20; seed 000), or Linus's 2022
 * proposal (memcg_lock_before_stats_only, seed 004: lock_page_memcg() just before the stats update).
 */
function* statsAfterTransition(task: Task, inner: Op<unknown>): Op<unknown> {
  let input: number | undefined;
  for (;;) {
    const r = inner.next(input as number);
    if (task.pendingStats.length > 0) {
      yield task.k.variant.era === '2023' && !task.k.variant.mutations.has('memcg_lock_before_stats_only')
        ? 'rmap: __lruvec_stat_mod_folio() after the mapcount transition (no lock_page_memcg() in rmap since v6.3)'
        : 'lock_page_memcg(); __lruvec_stat_mod_folio(); unlock_page_memcg() (mutated: after the mapcount transition)';
      for (const { folio, delta } of task.pendingStats.splice(0)) {
        const name = folio.memcg;
        if (name === null) continue;
        const memcg = task.k.lookup<MemCgroup>(name, 'mem_cgroup');
        memcg.mem.add(folio.anon ? memcg.kAnonMapped : memcg.kFileMapped, delta);
      }
    }
    if (r.done) return r.value;
    input = yield r.value;
  }
}

function scopeName(s: { name: string } | string): string {
  return typeof s === 'string' ? s : s.name;
}

/**
 * Define a scenario: an explorer model whose setup builds the kernel objects and threads.
 *
 * The structure is built once per exploration (Model.buildOnce): the first execution runs
 * `setup` — objects, keys, invariant closures, ghost counters, threads — and every later one
 * restores that execution's initial memory, resets the few fields kept outside memory
 * (ScenarioBuilder.resetExecution) and reuses the threads and checks. So thread ops keep their
 * state in kernel objects (memory), never in closures of `setup`, as the explorer requires anyway
 * to see every access.
 */
export function scenario(
  name: string,
  setup: (k: ScenarioBuilder) => void,
  opts: ScenarioOptions = {},
): Model {
  const checks = opts.checks ? new Set(opts.checks) : ALL_CHECKS;
  for (const c of checks) if (!(c in INV)) throw new SimMisuse(`unknown invariant '${c}'`);
  if (opts.elide !== undefined && !Object.hasOwn(SITES, opts.elide))
    throw new SimMisuse(`elide: unknown synchronisation site '${opts.elide}' (see src/sim/sites.ts SITES)`);
  return defineModel(
    name,
    (m) => {
      const b = new ScenarioBuilder(m, opts);
      setup(b);
      b.finish(checks);
      m.onRestore(() => b.resetExecution());
    },
    { buildOnce: true },
  );
}
