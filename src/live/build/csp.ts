/**
 * The site's Content-Security-Policy, in one place. `cspMeta()` (an Astro integration) writes it
 * as the first element of every built page's <head>, with the hashes of that page's inline
 * scripts; `npm start`/`npm run dev` also send it as a header (astro.config.mjs `server.headers`)
 * with what only a header can carry (frame-ancestors); README "Security" has the header as a
 * snippet for static hosts. The runner worker gets the header only (a <meta> binds documents,
 * not workers): there it refuses eval and every connection the sandbox (sandbox.ts) has not
 * already removed.
 *
 * Astro's own `security.csp` hashes only the scripts it bundles, not Starlight's `is:inline`
 * ones (its documentation says so), so pages would lose theme and navigation scripts: hence the
 * few lines below that hash every inline script of the built HTML.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Directives other than script-src/style-src, for Astro's <meta> (security.csp.directives). */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
];

/** script-src: the site's own files; Pagefind's search index runs as WebAssembly. */
export const SCRIPT_RESOURCES = ["'self'", "'wasm-unsafe-eval'"];
/**
 * style-src: Expressive Code and Starlight put styles in attributes, which hashes cannot allow;
 * styles cannot run code.
 */
export const STYLE_RESOURCES = ["'self'", "'unsafe-inline'"];

/**
 * The header. Pages: meta ∩ header, so inline scripts still need the meta's hashes. The runner
 * worker: blob: for the block's module, no 'unsafe-eval'. frame-ancestors: no framing.
 */
export const CSP_HEADER = [
  ...CSP_DIRECTIVES,
  `script-src ${SCRIPT_RESOURCES.join(' ')} 'unsafe-inline' blob:`,
  `style-src ${STYLE_RESOURCES.join(' ')}`,
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP_HEADER,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/g;

/** The policy for one page: its inline scripts by hash, everything else from files of the site. */
export function pagePolicy(html: string): string {
  const hashes = new Set<string>();
  for (const [, attrs, body] of html.matchAll(INLINE_SCRIPT))
    if (!/\bsrc\s*=/.test(attrs))
      hashes.add(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  return [
    ...CSP_DIRECTIVES,
    `script-src ${[...SCRIPT_RESOURCES, ...hashes].join(' ')}`,
    `style-src ${STYLE_RESOURCES.join(' ')}`,
  ].join('; ');
}

/** Put the page's policy first in its <head> (before any script it governs). */
export function withPolicy(html: string): string {
  const head = /<head\b[^>]*>/i.exec(html);
  if (!head) throw new Error('cspMeta: a page without <head>');
  const at = head.index + head[0].length;
  const meta = `<meta http-equiv="content-security-policy" content="${pagePolicy(html)}">`;
  return html.slice(0, at) + meta + html.slice(at);
}

export function cspMeta(): AstroIntegration {
  return {
    name: 'mmspec:csp-meta',
    hooks: {
      'astro:build:done': ({ dir }) => {
        const root = fileURLToPath(dir);
        for (const f of readdirSync(root, { recursive: true }).map(String))
          if (f.endsWith('.html')) {
            const path = join(root, f);
            writeFileSync(path, withPolicy(readFileSync(path, 'utf8')));
          }
      },
    },
  };
}
