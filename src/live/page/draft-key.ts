/** Where a block's draft is kept: boot.ts checks for one without loading drafts.ts's validation. */
export const draftKey = (id: string) => `mmspec:draft:${location.pathname}#${id}`;

/** Whether something is stored for the block (then the runtime is loaded to read and check it). */
export function hasDraft(id: string): boolean {
  try {
    return localStorage.getItem(draftKey(id)) !== null;
  } catch {
    return false; // storage disabled: drafts just are not kept
  }
}
