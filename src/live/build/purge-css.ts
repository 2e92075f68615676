/**
 * Unused CSS out of the site's stylesheets, after the build (PurgeCSS). Starlight's and Expressive
 * Code's sheets style every component and frame either of them has (terminal frames, editor tabs,
 * cards, steps, file trees) and declare custom properties for all of them; the chapters use a
 * fraction. Every page links the sheets before its first paint, so what no page uses costs every
 * reader: about 2 KiB gz a page (issue 13's budget is 35 KiB before interaction).
 *
 * What counts as used: any word of any built page or script (dist/**\/*.html, dist/_astro/*.js),
 * so classes and attributes that Starlight's scripts and the page runtime set later are kept, and
 * any custom property they read with var() (inline component styles, the runtime's inlined CSS). The
 * extractor keeps `:` and `/` inside words: Starlight's utility classes are `md:sl-flex`,
 * `print:hidden`. Pagefind's sheet is left alone: its markup is drawn by Pagefind's own script,
 * outside dist/_astro.
 *
 * A purged sheet gets a new name from its new content (old name's stem + hash), and every
 * reference in dist/ is rewritten, so a browser never keeps an older sheet under a name it trusts.
 * Runs in `astro:build:done` after codeTokens() (whose stylesheet it purges too) and before
 * cspMeta().
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { AstroIntegration } from 'astro';
import { PurgeCSS } from 'purgecss';

const KEEP_AS_IS = /^pagefind-ui\b/;

/** Words as PurgeCSS compares them to selectors: `md:sl-flex` stays one word. */
export const words = (content: string): string[] => content.match(/[\w:/-]+/g) ?? [];

/**
 * Every custom property a page or script reads with var(), and those their declarations in the
 * sheets read in turn (`--sl-color-green-high: hsl(var(--sl-hue-green), …)`): PurgeCSS counts only
 * reads inside the purged sheets, and not through a safelisted property's value.
 */
export function usedProperties(files: readonly string[], sheets: readonly string[]): Set<string> {
  const reads = (text: string) => [...text.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]);
  const used = new Set(files.flatMap((f) => reads(readFileSync(f, 'utf8'))));
  const declared = new Map<string, string[]>();
  for (const css of sheets)
    for (const m of css.matchAll(/(--[\w-]+)\s*:([^;}]*)/g))
      declared.set(m[1], [...(declared.get(m[1]) ?? []), ...reads(m[2])]);
  const todo = [...used];
  for (let p = todo.pop(); p !== undefined; p = todo.pop())
    for (const q of declared.get(p) ?? [])
      if (!used.has(q)) {
        used.add(q);
        todo.push(q);
      }
  return used;
}

export interface PurgeReport {
  readonly file: string;
  readonly renamed: string;
  readonly gzBefore: number;
  readonly gzAfter: number;
}

export async function purgeUnusedCss(root: string): Promise<PurgeReport[]> {
  const assets = join(root, '_astro');
  const pages = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => /\.(html|js)$/.test(f))
    .map((f) => join(root, f));
  const sheets = readdirSync(assets).filter((f) => f.endsWith('.css') && !KEEP_AS_IS.test(f));
  const results = await new PurgeCSS().purge({
    content: pages,
    css: sheets.map((f) => join(assets, f)),
    defaultExtractor: words,
    variables: true,
    // PurgeCSS sees custom properties used by the purged sheets only: keep those that inline
    // <style>s, style attributes and scripts (the runtime's CSS, the editor theme) read.
    safelist: {
      variables: [
        ...usedProperties(
          pages,
          sheets.map((f) => readFileSync(join(assets, f), 'utf8')),
        ),
      ],
    },
    keyframes: true,
    fontFace: true,
  });
  const gz = (s: string) => gzipSync(s, { level: 9 }).length;
  const renames = new Map<string, string>();
  const report: PurgeReport[] = [];
  for (const r of results) {
    const file = (r.file ?? '').split('/').pop() ?? '';
    const stem = file.replace(/\.[\w-]+\.css$/, '');
    const renamed = `${stem}.${createHash('sha256').update(r.css).digest('base64url').slice(0, 8)}.css`;
    const before = readFileSync(join(assets, file), 'utf8');
    rmSync(join(assets, file));
    writeFileSync(join(assets, renamed), r.css);
    renames.set(`/_astro/${file}`, `/_astro/${renamed}`);
    report.push({ file, renamed, gzBefore: gz(before), gzAfter: gz(r.css) });
  }
  const refs = readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => /\.(html|js|css)$/.test(f));
  for (const path of refs.map((f) => join(root, f))) {
    const src = readFileSync(path, 'utf8');
    let out = src;
    for (const [from, to] of renames) out = out.replaceAll(from, to);
    if (out !== src) writeFileSync(path, out);
  }
  return report;
}

export function purgeCss(): AstroIntegration {
  return {
    name: 'mmspec:purge-css',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const report = await purgeUnusedCss(fileURLToPath(dir));
        const before = report.reduce((n, r) => n + r.gzBefore, 0);
        const after = report.reduce((n, r) => n + r.gzAfter, 0);
        logger.info(`${report.length} stylesheets purged: ${before} → ${after} B gz`);
      },
    },
  };
}
