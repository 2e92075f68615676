/**
 * The build-time trace pictures as files: the remark plugin registers each SVG (and the trace as
 * an HTML table) here, named by a hash of its text; the page shows the SVG as a lazily loaded
 * <img> and links the table, so a chapter full of counterexamples weighs little before the reader
 * scrolls to one. The `traceAssets()` integration writes the files into dist/_traces/ after the
 * build and serves them under `astro dev`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

export const TRACE_DIR = '_traces';
const files = new Map<string, string>();

function hash(s: string): string {
  let h = 0x811c9dc5;
  let g = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    g = Math.imul(g ^ s.charCodeAt(i), 0x5bd1e995);
  }
  return (h >>> 0).toString(16).padStart(8, '0') + (g >>> 0).toString(16).padStart(8, '0');
}

const TYPES = { svg: 'image/svg+xml', html: 'text/html; charset=utf-8' } as const;

/** Register a file; returns its URL path. */
export function traceAsset(text: string, ext: keyof typeof TYPES = 'svg'): string {
  const name = `${hash(text)}.${ext}`;
  files.set(name, text);
  return `/${TRACE_DIR}/${name}`;
}

export function traceAssets(): AstroIntegration {
  return {
    name: 'mmspec:trace-assets',
    hooks: {
      'astro:server:setup': ({ server }) => {
        server.middlewares.use((req, res, next) => {
          const m = new RegExp(`^/${TRACE_DIR}/([0-9a-f]+\\.(svg|html))$`).exec(req.url ?? '');
          const text = m && files.get(m[1]);
          if (!m || !text) return next();
          res.setHeader('Content-Type', TYPES[m[2] as keyof typeof TYPES]);
          res.end(text);
        });
      },
      'astro:build:done': ({ dir, logger }) => {
        const out = join(fileURLToPath(dir), TRACE_DIR);
        mkdirSync(out, { recursive: true });
        for (const [name, svg] of files) writeFileSync(join(out, name), svg);
        logger.info(`${files.size} counterexample pictures and tables written to ${TRACE_DIR}/`);
      },
    },
  };
}
