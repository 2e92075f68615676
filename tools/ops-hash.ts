import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sources the necessity map is computed from: the simulator (ops, objects, invariants, the
 * scenario builder, the rules and their extra scenarios, the site catalogue), the ported
 * selftests, the explorer that searches them and the map's own scenario list. The map records
 * their hash; spec-tests/sim/necessity.test.ts recomputes it and fails when any of them changed
 * since the map was computed (`npm run necessity` refreshes it).
 */
export function opsFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
      );
  return [
    ...walk('src/sim'),
    ...walk('src/selftests'),
    ...walk('src/explorer'),
    'tools/necessity-scenarios.ts',
  ];
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
