/**
 * Edited code in a URL: deflate (fflate) then base64url, after `#spec-<id>~`. Beyond
 * MAX_LINK_CHARS the page says so instead of making a link chat tools would truncate.
 */
import { strFromU8, strToU8, unzlibSync, zlibSync } from 'fflate';

export const MAX_LINK_CHARS = 6000;

export function encodeCode(code: string): string {
  const bytes = zlibSync(strToU8(code), { level: 9 });
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCode(s: string): string {
  if (!/^[\w-]+$/.test(s)) throw new Error('not base64url');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return strFromU8(unzlibSync(bytes));
}

/** What a block link carries: `#spec-<id>[~<code>][?run=<n>&model=…&schedule=…&step=<k>]`. */
export interface BlockLink {
  id: string;
  /** Edited code (deflated), if any. */
  code: string | null;
  /** A counterexample to replay: exploration `run` of the block, along `schedule`. */
  trace: { index: number; model: string; schedule: string; step: number } | null;
}

export function linkHash(link: BlockLink): string {
  let hash = `#spec-${link.id}`;
  if (link.code !== null) hash += `~${link.code}`;
  if (link.trace) {
    const q = new URLSearchParams({
      run: String(link.trace.index),
      model: link.trace.model,
      schedule: link.trace.schedule,
      step: String(link.trace.step),
    });
    hash += `?${q}`;
  }
  return hash;
}

/** null when the hash is not a block link; throws on a malformed trace part. */
export function parseLink(hash: string): BlockLink | null {
  const m = /^#spec-([\w-]+)(?:~([\w-]+))?(?:\?(.*))?$/.exec(hash);
  if (!m) return null;
  let trace: BlockLink['trace'] = null;
  if (m[3] !== undefined) {
    const q = new URLSearchParams(m[3]);
    const index = Number(q.get('run'));
    const step = Number(q.get('step') ?? 0);
    const model = q.get('model');
    const schedule = q.get('schedule');
    if (!Number.isInteger(index) || index < 0 || !Number.isInteger(step) || step < 0 || !model || !schedule)
      throw new Error('the link names a counterexample but not as run=<n>&model=…&schedule=…&step=<k>');
    trace = { index, model, schedule, step };
  }
  return { id: m[1], code: m[2] ?? null, trace };
}
