/**
 * The invariants of kernel-rules.md §2, by id. A check's name starts with its id, so a result's
 * violated check can be matched to the catalog (`invariantId(name)`); instances scoped to one
 * object append it in brackets: `I5 mapped anon folio keeps its anon_vma alive [folio#1]`.
 */
export const INV = {
  I1: 'I1 refcount accounts for every holder',
  I2: 'I2 mapcount mirrors page tables',
  I3: 'I3 freed folios are unreachable',
  I3b: 'I3b no mapped folio leaves the page cache',
  I4: 'I4 no use of a freed anon_vma',
  I5: 'I5 mapped anon folio keeps its anon_vma alive',
  I6: 'I6 memcg counters equal ownership',
  I7: 'I7 no double charge or uncharge',
  I8: 'I8 mapped stats match mapped folios',
  I9: 'I9 folio lock guards first mapping',
  I10: 'I10 memcg changes only under lock, isolation or exclusivity',
  I11: 'I11 swap count consistency',
  I12: 'I12 swap data reachable',
  I13: 'I13 COW isolation',
  I14: 'I14 exclusivity is truthful',
  I15: 'I15 PTE lock discipline',
  I16: 'I16 large-folio aggregates',
  I17: 'I17 page-table liveness',
  I18: 'I18 lock order',
  I19: 'I19 visible implies charged',
  I20: 'I20 RCU grace periods',
  I21: 'I21 rmap completeness',
  I22: 'I22 no lost write',
  I23: 'I23 stable writeback',
} as const;

export type InvariantId = keyof typeof INV;

/**
 * Guards: invariants that restate a protocol (what lockdep, a DEBUG_VM-only VM_BUG_ON or the
 * rule's own precondition would say). A scenario with `guards: false` does not check them; its
 * counterexamples are then harms only. The state checks I6 (charges) and I8 (stats) are guards
 * while an operation runs and harms at rest: with guards off they are checked at the end of each
 * complete execution ("… at rest"), and so is I19 (a folio in use at the end that nobody pays
 * for: memory escapes its memcg's limit). The step assertions under I3, I3b, I4, I7, I11, I12, I13,
 * I14 (do_swap_page's BUG_ON), I16 ("Bad page state" at free), I17 (a read of or install into a
 * freed page table) and I20 are harms and always checked.
 */
export const GUARDS: ReadonlySet<InvariantId> = new Set<InvariantId>([
  'I1',
  'I2',
  'I5',
  'I9',
  'I10',
  'I11',
  'I14',
  'I15',
  'I16',
  'I17',
  'I18',
  'I19',
  'I23',
]);

/** The invariant id a check or assertion name belongs to ('I5'), or null. */
export function invariantId(checkName: string): InvariantId | null {
  const m = /^(I\d+b?) /.exec(checkName);
  return m && m[1] in INV ? (m[1] as InvariantId) : null;
}
