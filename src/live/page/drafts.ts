/**
 * Drafts: a reader's edits, kept per block in localStorage (page path + block id) as a small
 * versioned record `{"v":1,"code":"…"}`. Storage is shared with every script of the origin and
 * outlives the code that wrote it, so a record is read back only if it is exactly that, with code
 * of at most MAX_CODE_BYTES; anything else is dropped (the caller says so in the block).
 */

import { MAX_CODE_BYTES, utf8Length } from '../shared/limits.ts';
import { draftKey as key } from './draft-key.ts';

export const DRAFT_VERSION = 1;

/** A stored draft: its code, or why it cannot be read. */
export type Draft = { code: string } | { error: string };

const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;

export function draftRecord(code: string): string {
  return JSON.stringify({ v: DRAFT_VERSION, code });
}

export function parseDraft(raw: string): Draft {
  const limit = `the limit is ${kib(MAX_CODE_BYTES)}`;
  // A record we wrote is at most ~6 characters per byte of code (\u00XX escapes): do not parse more.
  if (raw.length > 6 * MAX_CODE_BYTES + 32)
    return { error: `it is ${kib(raw.length)} of text, too large for a draft (${limit})` };
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch {
    return { error: 'it is not a draft record (not JSON; drafts saved before records were plain text)' };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return { error: 'it is not a draft record' };
  const { v, code } = record as { v?: unknown; code?: unknown };
  if (v !== DRAFT_VERSION) return { error: `it is not a version-${DRAFT_VERSION} draft record` };
  if (typeof code !== 'string') return { error: 'its code is not text' };
  const bytes = utf8Length(code);
  if (bytes > MAX_CODE_BYTES) return { error: `its code is ${kib(bytes)} (${limit})` };
  return { code };
}

export function loadDraft(id: string): Draft | null {
  try {
    const raw = localStorage.getItem(key(id));
    return raw === null ? null : parseDraft(raw);
  } catch {
    return null;
  }
}

/** Store (or, with null, remove) a block's draft; false when it is too large to keep. */
export function saveDraft(id: string, code: string | null): boolean {
  if (code !== null && utf8Length(code) > MAX_CODE_BYTES) return false;
  try {
    if (code === null) localStorage.removeItem(key(id));
    else localStorage.setItem(key(id), draftRecord(code));
  } catch {}
  return true;
}
