/**
 * Vite plugin (astro.config.mjs): the virtual module `virtual:mmspec-block-files` holds every file
 * the TypeScript program of a block reads — the standard library (ES2023), the sources of mmspec and
 * mmspec/explorer and the .d.ts files of vitest's expect — as { '/<repo path>': text }. The page's
 * type worker (types.worker.ts) mounts them in @typescript/vfs, so editing needs no CDN.
 * The file list is the real program's (src/live/shared/block-program.ts), computed at build.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Plugin } from 'vite';
import { blockCompilerOptions, PRELUDE, PRELUDE_NAME, virtualProgram } from '../shared/block-program.ts';

const ID = 'virtual:mmspec-block-files';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function blockFiles(): Record<string, string> {
  const options = blockCompilerOptions(ts, ROOT);
  const probe = `${ROOT}mmspec-block-probe.ts`;
  const imports = ["import * as explorer from 'mmspec/explorer';"];
  if (existsSync(`${ROOT}src/sim/index.ts`)) imports.push("import * as sim from 'mmspec';");
  const virtual = new Map([
    [`${ROOT}${PRELUDE_NAME}`, PRELUDE],
    [probe, `${imports.join('\n')}\nexport {};\n`],
  ]);
  const program = virtualProgram(ts, options, virtual);
  const files: Record<string, string> = {};
  for (const sf of program.getSourceFiles()) {
    if (virtual.has(sf.fileName)) continue;
    // The standard library goes where @typescript/vfs looks for it: `/lib.<name>.d.ts`.
    if (program.isSourceFileDefaultLibrary(sf)) files[`/${sf.fileName.split('/').pop()}`] = sf.text;
    else files[`/${relative(ROOT, sf.fileName).replaceAll('\\', '/')}`] = sf.text;
  }
  // package.json files let the bundler resolution find the .d.ts entries in the virtual fs.
  for (const path of Object.keys(files)) {
    const m = /^(\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (m && !files[`${m[1]}/package.json`]) {
      const pkg = ts.sys.readFile(`${ROOT}${m[1].slice(1)}/package.json`);
      if (pkg) files[`${m[1]}/package.json`] = pkg;
    }
  }
  return files;
}

export function blockTypes(): Plugin {
  return {
    name: 'mmspec:block-types',
    resolveId: (id) => (id === ID ? `\0${ID}` : null),
    load(id) {
      if (id !== `\0${ID}`) return null;
      return `export default ${JSON.stringify(blockFiles())};`;
    },
  };
}
