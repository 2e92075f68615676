/** Issue 9: reading a link or a draft is bounded and validated (the pure parts; the page is in the browser pass). */
import fc from 'fast-check';
import { strToU8, zlibSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { draftRecord, parseDraft } from '../../src/live/page/drafts.ts';
import { lineDiff } from '../../src/live/page/link-diff.ts';
import {
  decodeCode,
  encodeCode,
  inflateCapped,
  MAX_HASH_CHARS,
  MAX_LINK_CHARS,
  parseLink,
} from '../../src/live/page/permalink.ts';
import { MAX_CODE_BYTES, utf8Length } from '../../src/live/shared/limits.ts';

const KiB = 1024;
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('capped inflate', () => {
  test('code up to 64 KiB round-trips; one byte more is refused', () => {
    const at = 'x'.repeat(MAX_CODE_BYTES);
    expect(decodeCode(encodeCode(at))).toBe(at);
    expect(() => decodeCode(encodeCode(`${at}y`))).toThrow(/more than 64 KiB/);
    // The cap is in UTF-8 bytes: 32 Ki two-byte characters are exactly 64 KiB.
    expect(decodeCode(encodeCode('é'.repeat(32 * KiB)))).toHaveLength(32 * KiB);
    expect(() => decodeCode(encodeCode('é'.repeat(32 * KiB + 1)))).toThrow(/64 KiB/);
  });

  test('a zlib bomb stops at the cap, having read a few hundred bytes of it', () => {
    const bomb = zlibSync(new Uint8Array(10_000_000).fill(0x20), { level: 9 });
    const why = (data: Uint8Array) => {
      try {
        inflateCapped(data);
        return 'inflated';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(why(bomb)).toMatch(/more than 64 KiB/);
    // The shortest prefix (in powers of two) already refused for size, not as truncated data.
    let n = 1;
    while (!/64 KiB/.test(why(bomb.subarray(0, n)))) n *= 2;
    expect(n).toBeLessThanOrEqual(512);
  });

  test('corrupt, truncated, empty or non-UTF-8 code is an error', () => {
    const ok = zlibSync(strToU8('const a = 1;'));
    expect(() => decodeCode('not base64!')).toThrow(/base64url/);
    expect(() => decodeCode(b64url(ok.subarray(0, ok.length - 6)))).toThrow();
    expect(() => inflateCapped(new Uint8Array())).toThrow(/empty/);
    expect(() => decodeCode(b64url(zlibSync(new Uint8Array([0xff, 0xfe, 0x41]))))).toThrow(/UTF-8/);
    expect(() => inflateCapped(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow();
  });

  test('Copy link still refuses to make links over 6 000 characters', () => {
    let seed = 1;
    const noise = Array.from({ length: 8000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return String.fromCharCode(33 + (seed % 90));
    }).join('');
    expect(encodeCode(noise).length).toBeGreaterThan(MAX_LINK_CHARS);
  });
});

describe('link parsing', () => {
  test('a hash longer than the cap is refused before it is decoded', () => {
    const at = `#spec-a~${'A'.repeat(MAX_HASH_CHARS - 8)}`;
    expect(parseLink(at)?.code).toHaveLength(MAX_HASH_CHARS - 8);
    expect(() => parseLink(`${at}A`)).toThrow(/too long \(16385 characters/);
    expect(parseLink(`#intro-${'x'.repeat(MAX_HASH_CHARS)}`)).toBeNull();
  });

  test('links with code, a schedule, or both', () => {
    const trace = { index: 0, model: 'lost update', schedule: 'mmx1;s=A@load', step: 1 };
    expect(parseLink('#spec-a?run=0&model=lost+update&schedule=mmx1%3Bs%3DA%40load&step=1')).toEqual({
      id: 'a',
      code: null,
      trace,
    });
    expect(parseLink('#spec-a~eJw?run=0&model=m&schedule=s&step=0')?.code).toBe('eJw');
    expect(parseLink('#spec-a')).toEqual({ id: 'a', code: null, trace: null });
    expect(() => parseLink('#spec-a?run=-1&model=m&schedule=s')).toThrow(/run=<n>/);
  });
});

describe('drafts', () => {
  test('a version-1 record round-trips', () => {
    const code = 'expect(1).toBe(1); // “quotes” \\ and\nnew lines\t';
    expect(parseDraft(draftRecord(code))).toEqual({ code });
    expect(JSON.parse(draftRecord(code))).toEqual({ v: 1, code });
  });

  test('anything else is dropped, saying why', () => {
    const err = (raw: string) => {
      const d = parseDraft(raw);
      return 'error' in d ? d.error : 'loaded';
    };
    expect(err('{"v":1,"code":')).toMatch(/not JSON/);
    expect(err("import { explore } from 'mmspec/explorer';")).toMatch(/not JSON/); // the old raw format
    expect(err('"expect(1).toBe(1)"')).toMatch(/not a draft record/);
    expect(err('[1]')).toMatch(/not a draft record/);
    expect(err('null')).toMatch(/not a draft record/);
    expect(err('{"v":2,"code":"x"}')).toMatch(/version-1/);
    expect(err('{"v":"1","code":"x"}')).toMatch(/version-1/);
    expect(err('{"v":1,"code":42}')).toMatch(/not text/);
    expect(err('{"v":1}')).toMatch(/not text/);
    expect(err(draftRecord('x'.repeat(MAX_CODE_BYTES + 1)))).toMatch(/65 KiB \(the limit is 64 KiB\)/);
    expect(err(draftRecord('x'.repeat(MAX_CODE_BYTES)))).toBe('loaded');
    expect(err(' '.repeat(7 * MAX_CODE_BYTES))).toMatch(/too large/);
  });

  test('a record of the largest code is under the raw-size bound (every character escaped)', () => {
    expect(parseDraft(draftRecord('\u0001'.repeat(MAX_CODE_BYTES)))).toHaveProperty('code');
  });

  test('utf8Length is TextEncoder’s length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => utf8Length(s) === new TextEncoder().encode(s).length),
    );
    for (const s of ['\ud800', '\udc00x', '\ud800\ud800\udc00', '😀é', ''])
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });
});

describe('line diff', () => {
  const chapter = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');

  test('an appended line is one added line, the rest folded', () => {
    expect(lineDiff(chapter, `${chapter}\nconsole.log('x');`)).toEqual([
      { op: '…', text: '10 unchanged lines' },
      { op: ' ', text: 'line 11' },
      { op: ' ', text: 'line 12' },
      { op: '+', text: "console.log('x');" },
    ]);
  });

  test('a changed line shows as removed and added, with context', () => {
    const d = lineDiff(chapter, chapter.replace('line 6', 'line six')) ?? [];
    expect(d.filter((l) => l.op !== ' ' && l.op !== '…')).toEqual([
      { op: '-', text: 'line 6' },
      { op: '+', text: 'line six' },
    ]);
    expect(d.map((l) => l.op).join('')).toBe('…  -+  …');
  });

  test('identical code is one folded run', () => {
    expect(lineDiff(chapter, chapter)).toEqual([{ op: '…', text: '12 unchanged lines' }]);
  });
});
