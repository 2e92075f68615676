import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { lightenCode, themeWithoutScript } from '../../src/live/build/code-tokens.ts';

const page = (body: string) =>
  `<!DOCTYPE html><html lang="en" data-theme="dark"><head><title>t</title></head><body>${body}</body></html>`;

describe('lightenCode', () => {
  test("tokens become elements styled in Expressive Code's stylesheet; nesting, text and other spans are kept", () => {
    const root = mkdtempSync(join(tmpdir(), 'mmspec-tokens-'));
    mkdirSync(join(root, '_astro'));
    writeFileSync(
      join(root, '_astro', 'ec.x.css'),
      ':root{--ec-codeFg:#d6deeb}:root[x]{--ec-codeFg:#403f53}',
    );
    const code =
      '<pre data-language="ts"><code><div class="ec-line"><div class="code">' +
      '<span style="--0:#C792EA;--1:#8844AE">const</span><span style="--0:#D6DEEB;--1:#403F53"> x </span>' +
      '<span style="--1:#403F53"><span style="--0:#D6DEEB">, </span><span class="indent">  </span></span>' +
      '</div></div></code></pre>';
    const block = `<spec-block><div class="copy"><button data-code="const x">c</button></div>${code}</spec-block>`;
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'index.html'), page(`${block}<span style="--sl-icon-size: 1em;">i</span>`));
    const r = lightenCode(root);
    expect(r?.styles).toBe(4);
    const html = readFileSync(join(root, 'a', 'index.html'), 'utf8');
    expect(html).not.toContain('style="--0');
    expect(html).toContain('<span style="--sl-icon-size: 1em;">i</span>');
    expect(html).not.toContain('data-code=');
    expect(html).toContain(`<link rel="stylesheet" href="${r?.href}"></head>`);
    // The token in the code's own colour is plain text; nested tokens close in order.
    expect(html).toMatch(
      /<k-\w+>const<\/k-\w+> x <k-(\w+)><k-\w+>, <\/k-\w+><span class="indent"> {2}<\/span><\/k-\1>/,
    );
    const css = readFileSync(join(root, r?.href ?? ''), 'utf8');
    expect(css).toContain('{--0:#C792EA;--1:#8844AE}');
    expect(css).toContain('prefers-color-scheme:light');
    // One stylesheet: Expressive Code's, with the token styles after its own rules.
    expect(r?.href).toBe('/_astro/ec.x.css');
    expect(css.startsWith(':root{--ec-codeFg:#d6deeb}')).toBe(true);
    expect(readdirSync(join(root, '_astro'))).toEqual(['ec.x.css']);
    expect(themeWithoutScript(root)).toBe(1);
    expect(readFileSync(join(root, 'a', 'index.html'), 'utf8')).toMatch(
      /^<!DOCTYPE html><html lang="en"><head>/,
    );
  });
});
