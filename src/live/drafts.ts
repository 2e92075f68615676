/** Drafts: a reader's edits, kept per block in localStorage (page path + block id). */
const PREFIX = 'mmspec:draft:';

const key = (id: string) => `${PREFIX}${location.pathname}#${id}`;

export function loadDraft(id: string): string | null {
  try {
    return localStorage.getItem(key(id));
  } catch {
    return null; // storage disabled: drafts just are not kept
  }
}

export function saveDraft(id: string, code: string | null): void {
  try {
    if (code === null) localStorage.removeItem(key(id));
    else localStorage.setItem(key(id), code);
  } catch {}
}
