/**
 * Lighter highlighted code, after the build. Expressive Code writes every token as
 * `<span style="--0:#C792EA;--1:#8844AE">…</span>` (its dark and light colours as custom
 * properties), most of a code-heavy chapter's weight. This integration rewrites each token as a
 * short element named after its style, `<k-0>…</k-0>`, `<k-1>…</k-1>` (numbered over the whole
 * site, commonest first), defined once, at the end of Expressive Code's own stylesheet (linked from
 * every page with code), by rules that also turn the custom properties into colours the way Expressive
 * Code's own rules do for `span[style^='--']`: dark by default, light under `data-theme="light"`,
 * and light without JavaScript when the reader prefers it. Inside spec blocks it also drops the
 * copy button's `data-code` (a second copy of the code): src/live/page/copy-code.ts fills it from the
 * lines when the button is clicked. The code's text, and so what the page runtime reads back from
 * the highlighted lines, is unchanged.
 *
 * It also leaves the theme to the reader's preference when JavaScript is off (themeWithoutScript).
 *
 * Runs in `astro:build:done` before cspMeta() (astro.config.mjs), which must see the final HTML.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Only Expressive Code's token properties (--0, --1fs, --0bg, …), never another component's. */
const TOKEN = /<span style="((?:--\d+(?:fs|fw|td|bg)?:[^;"<>]+;?)+)">/;
const TAGS = new RegExp(`${TOKEN.source}|<span\\b[^>]*>|</span>`, 'g');
const PRE = /<pre\b[^>]*>[\s\S]*?<\/pre>/g;
const SPEC = /<spec-block\b[\s\S]*?<\/spec-block>/g;

const props = (v: 0 | 1) =>
  `color:var(--${v},inherit);background-color:var(--${v}bg,transparent);font-style:var(--${v}fs,inherit);font-weight:var(--${v}fw,inherit);text-decoration:var(--${v}td,inherit)`;
const tag = (i: number) => `k-${i.toString(36)}`;

/** The stylesheet for the given token styles, in tag order. */
export function tokenCss(styles: readonly string[]): string {
  const all = `.expressive-code .ec-line :where(${styles.map((_, i) => tag(i)).join(',')})`;
  return [
    ...styles.map((s, i) => `.expressive-code ${tag(i)}{${s}}`),
    `${all}{${props(0)}}`,
    `@media (prefers-color-scheme:light){:root:not([data-theme='dark']) ${all}{${props(1)}}}`,
    `:root[data-theme='light'] ${all.replace('.expressive-code', ".expressive-code:not([data-theme='dark'])")}{${props(1)}}`,
    '',
  ].join('\n');
}

/** One <pre>'s tokens as elements: each <span> closes as it opened (a stack, spans nest). */
function retag(pre: string, name: (style: string) => string): string {
  const open: string[] = [];
  return pre.replace(TAGS, (m, style: string | undefined) => {
    if (m === '</span>') return open.pop() ?? m;
    const t = style === undefined ? 'span' : name(style);
    open.push(`</${t}>`);
    return style === undefined ? m : `<${t}>`;
  });
}

export function lightenCode(root: string): { href: string; pages: number; styles: number } | null {
  const pages = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.html'))
    .map((f) => ({ path: join(root, f), html: readFileSync(join(root, f), 'utf8') }))
    .filter((p) => TOKEN.test(p.html));
  if (pages.length === 0) return null;
  const count = new Map<string, number>();
  for (const p of pages)
    for (const [, s] of p.html.matchAll(new RegExp(TOKEN.source, 'g'))) count.set(s, (count.get(s) ?? 0) + 1);
  const styles = [...count.keys()].sort((a, b) => count.get(b)! - count.get(a)! || (a < b ? -1 : 1));
  const names = new Map(styles.map((s, i) => [s, tag(i)]));
  // A token in the code's own colour (Expressive Code's --ec-codeFg, dark then light) is plain text.
  const ecFiles = readdirSync(join(root, '_astro')).filter((f) => /^ec\..*\.css$/.test(f));
  const ecCss = ecFiles.map((f) => readFileSync(join(root, '_astro', f), 'utf8')).join('');
  const [dark, light] = [...ecCss.matchAll(/--ec-codeFg:(#[0-9a-f]+)/gi)].map((m) => m[1].toLowerCase());
  const plain = styles.find((s) => s.toLowerCase() === `--0:${dark};--1:${light}`);
  const unwrap = plain ? new RegExp(`<${names.get(plain)}>([^<]*)</${names.get(plain)}>`, 'g') : null;
  const css = tokenCss(styles);
  // The token styles join Expressive Code's stylesheet, which every page with code links: one
  // request and one gzip stream fewer (purge-css.ts then renames the sheet after its content).
  // Without exactly one such sheet they get a file of their own.
  let file = ecFiles.length === 1 ? ecFiles[0] : null;
  if (file !== null) writeFileSync(join(root, '_astro', file), `${ecCss}\n${css}`);
  else {
    file = `tokens.${createHash('sha256').update(css).digest('hex').slice(0, 8)}.css`;
    writeFileSync(join(root, '_astro', file), css);
  }
  const href = `/_astro/${file}`;
  for (const p of pages) {
    const html = p.html
      .replace(PRE, (pre) => {
        const tagged = retag(pre, (s) => names.get(s)!);
        return unwrap ? tagged.replace(unwrap, '$1') : tagged;
      })
      .replace(SPEC, (block) => block.replace(/ data-code="[^"]*"/g, ''))
      .replace('</head>', (head) =>
        p.html.includes(`href="${href}"`) ? head : `<link rel="stylesheet" href="${href}">${head}`,
      );
    writeFileSync(p.path, html);
  }
  return { href, pages: pages.length, styles: styles.length };
}

/**
 * Starlight writes `<html data-theme="dark">` and its inline script sets the reader's theme before
 * the page is drawn; without JavaScript the page stayed dark for a reader who prefers light. Without
 * the attribute, the theme follows `prefers-color-scheme` (src/components/site.css, the figures'
 * rules in spec-block.css, Expressive Code's and the tokens' own media queries).
 */
export function themeWithoutScript(root: string): number {
  let n = 0;
  for (const f of readdirSync(root, { recursive: true }).map(String))
    if (f.endsWith('.html')) {
      const html = readFileSync(join(root, f), 'utf8');
      const out = html.replace(/^(<!DOCTYPE html>\s*<html\b[^>]*?) data-theme="dark"/i, '$1');
      if (out !== html) {
        writeFileSync(join(root, f), out);
        n++;
      }
    }
  return n;
}

export function codeTokens(): AstroIntegration {
  return {
    name: 'mmspec:code-tokens',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        themeWithoutScript(fileURLToPath(dir));
        const r = lightenCode(fileURLToPath(dir));
        if (r) logger.info(`${r.styles} token styles as elements of ${r.href} (${r.pages} pages)`);
      },
    },
  };
}
