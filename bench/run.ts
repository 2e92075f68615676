/**
 * `npm run bench`: every section in bench/sections/, in file-name order. Each section prints its
 * own table. Figures are measured here, in one run; no test depends on them.
 */
import { readdirSync } from 'node:fs';

const only = process.argv[2];
const dir = new URL('./sections/', import.meta.url);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  if (only && !file.includes(only)) continue;
  const mod = (await import(new URL(file, dir).href)) as { default: () => Promise<void> | void };
  await mod.default();
}
