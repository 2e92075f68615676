/**
 * Edited code in a URL: deflate (fflate) then base64url, after `#spec-<id>~`. Beyond
 * MAX_LINK_CHARS the page says so instead of making a link chat tools would truncate.
 *
 * A link is a stranger's input, read before the reader does anything, so reading it is bounded: a
 * hash longer than MAX_HASH_CHARS is not decoded, and code is inflated in small chunks, stopping as
 * soon as it passes MAX_CODE_BYTES (a few KiB of deflate can expand a thousandfold).
 */
import { strToU8, Unzlib, zlibSync } from 'fflate';
import { MAX_CODE_BYTES } from '../shared/limits.ts';

/** The longest code part Copy link makes. */
export const MAX_LINK_CHARS = 6000;
/** The longest block link the page reads: Copy link's code part plus a long schedule, with room. */
export const MAX_HASH_CHARS = 16 * 1024;
/** Deflated bytes fed per step: one step inflates at most ~1 032× that before the cap is checked. */
const CHUNK = 256;

export function encodeCode(code: string): string {
  const bytes = zlibSync(strToU8(code), { level: 9 });
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Inflate zlib data, throwing as soon as the output passes `cap` bytes. */
export function inflateCapped(data: Uint8Array, cap = MAX_CODE_BYTES): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const z = new Unzlib((chunk) => {
    size += chunk.length;
    if (size <= cap) parts.push(chunk);
  });
  if (data.length === 0) throw new Error('the code is empty');
  for (let at = 0; at < data.length; at += CHUNK) {
    z.push(data.subarray(at, at + CHUNK), at + CHUNK >= data.length);
    if (size > cap) throw new Error(`its code inflates to more than ${cap / 1024} KiB, the limit`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function decodeCode(s: string, cap = MAX_CODE_BYTES): string {
  if (!/^[\w-]+$/.test(s)) throw new Error('not base64url');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(inflateCapped(bytes, cap));
  } catch (e) {
    throw e instanceof TypeError ? new Error('its code is not UTF-8 text') : e;
  }
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

/** null when the hash is not a block link; throws on a malformed or oversized one. */
export function parseLink(hash: string): BlockLink | null {
  if (!hash.startsWith('#spec-')) return null;
  if (hash.length > MAX_HASH_CHARS)
    throw new Error(
      `it is too long (${hash.length} characters; a page reads links of up to ${MAX_HASH_CHARS})`,
    );
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
