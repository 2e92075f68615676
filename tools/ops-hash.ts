import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sources the necessity map depends on most directly: every op (src/sim/ops/*.ts) and the
 * site catalogue. The map records their hash; spec-tests/sim/necessity.test.ts recomputes it and
 * fails when an op changed since the map was computed (`npm run necessity` refreshes it).
 */
export function opsFiles(root: string): string[] {
  const ops = readdirSync(join(root, 'src/sim/ops'))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => `src/sim/ops/${f}`);
  return [...ops, 'src/sim/sites.ts'];
}

export function opsHash(root: string): string {
  const h = createHash('sha256');
  for (const f of opsFiles(root)) {
    h.update(`${f}\n`);
    h.update(readFileSync(join(root, f), 'utf8').replace(/\r\n/g, '\n'));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}
