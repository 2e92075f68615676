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
} as const;

export type InvariantId = keyof typeof INV;

/** The invariant id a check or assertion name belongs to ('I5'), or null. */
export function invariantId(checkName: string): InvariantId | null {
  const m = /^(I\d+b?) /.exec(checkName);
  return m && m[1] in INV ? (m[1] as InvariantId) : null;
}
