import { until } from '../../explorer/index.ts';
import type { Task } from '../kernel.ts';
import type { AnonVma } from '../objects/anon_vma.ts';
import { RcuReader } from '../objects/rcu.ts';
import { untilAt } from '../sites.ts';
import type { Op } from './op.ts';

/**
 * mm/slub.c: the afterlife of a freed object of a SLAB_TYPESAFE_BY_RCU cache (anon_vma_cachep,
 * mm/rmap.c anon_vma_init(): "SLAB_TYPESAFE_BY_RCU|SLAB_PANIC|SLAB_ACCOUNT").
 */

/**
 * discard_slab → free_slab → call_rcu(rcu_free_slab) → __free_slab: once the freed anon_vma's
 * slab is empty, its page goes back to the page allocator — but only after an RCU grace period —
 * and may then become anything; here a page table (pte_alloc_one), as Hugh saw: "It looked like
 * a page table when I peeped at it" (seed 004).
 * Kernel: mm/slub.c free_slab() "if (unlikely(s->flags & SLAB_TYPESAFE_BY_RCU))
 * call_rcu(&slab->rcu_head, rcu_free_slab); else __free_slab(s, slab);" and rcu_free_slab() →
 * __free_slab() → __free_pages() (read in mainline-derived copies via the search tool, the
 * slab_test_node_partial era). Rules R1 (a reader that entered its read section after the free
 * has no claim on the memory), R13 (one that was inside it keeps it an anon_vma).
 * Model: the slab holds only this anon_vma and is discarded at once; the grace period starts at
 * the free (the earliest the kernel allows: call_rcu at kmem_cache_free of the last object), so it
 * waits for the read sections recorded then (`freed_under_rcu`); the page's next life is a page
 * table and nothing else. The thread waits until the anon_vma is freed; if the slab hands the
 * object out again first (anon_vma_alloc: `reused`), the page stays a slab page. A scenario whose
 * anon_vma is never freed leaves this thread waiting (the explorer reports the deadlock).
 */
export function* rcu_free_slab(t: Task, av: AnonVma): Op<boolean> {
  yield until('discard_slab(): the anon_vma is freed', () => av.state !== 'live');
  if (av.state !== 'freed') return false;
  yield untilAt(
    t.k,
    'slub.c:free_slab:call_rcu',
    'free_slab(): call_rcu(&slab->rcu_head, rcu_free_slab) — the grace period',
    () => gracePeriodOver(t, av),
  );
  yield 'rcu_free_slab(): __free_slab() → __free_pages(); pte_alloc_one() reuses the page';
  if (av.state !== 'freed') return false; // reallocated as an anon_vma meanwhile: the slab is not empty
  av.state = 'pagetable';
  return true;
}

/** Every read section open at the free (`freed_under_rcu`, `rcu#task:gen`) has ended. */
function gracePeriodOver(t: Task, av: AnonVma): boolean {
  const under = av.mem.read(av.kFreedUnder) as readonly string[];
  return t.k.all(RcuReader).every((r) => !r.reader || !under.includes(`${r.name}:${r.gen}`));
}
