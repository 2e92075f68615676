/**
 * How much code a link or a draft may carry (issue 9): a stranger's link must not be able to make
 * the page inflate, show or store megabytes. Shared by permalink.ts (links) and drafts.ts.
 */
export const MAX_CODE_BYTES = 64 * 1024;

/** Bytes of `s` in UTF-8, without allocating them. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4; // a surrogate pair: one 4-byte character
      i++;
    } else n += 3; // the rest of the BMP, and a lone surrogate (written as U+FFFD)
  }
  return n;
}
