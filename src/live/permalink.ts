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
