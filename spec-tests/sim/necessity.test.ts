import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SITE_IDS, UNNEEDED } from '../../src/sim/sites.ts';
import { opsHash } from '../../tools/ops-hash.ts';

const map = JSON.parse(readFileSync(new URL('../../src/sim/necessity.json', import.meta.url), 'utf8'));
const root = new URL('../..', import.meta.url).pathname;

describe('the necessity map (src/sim/necessity.json, issue 14)', () => {
  it('was computed from the ops as they are (else: npm run necessity)', () => {
    expect(map.opsHash, 'the ops or sites changed since the map was computed: run `npm run necessity`').toBe(
      opsHash(root),
    );
  });

  it('has an entry for every site of the catalogue, each with its verdict', () => {
    expect(Object.keys(map.sites).sort()).toEqual([...SITE_IDS].sort());
    for (const id of SITE_IDS) {
      const s = map.sites[id];
      expect(['needed', 'no scenario needs it', 'unreached']).toContain(s.verdict);
      expect(s.verdict === 'needed').toBe(s.needs.length > 0);
    }
  });

  it('tells a harm reached through a race from one a serial run reaches (minimised preemptions)', () => {
    let race = 0;
    for (const id of SITE_IDS)
      for (const n of map.sites[id].needs)
        if (!n.harm.startsWith('ksft')) {
          expect(n.preemptions, `${id} in ${n.scenario}`).toBeTypeOf('number');
          if (n.preemptions > 0) race++;
        }
    expect(race).toBeGreaterThan(0);
    expect(map.summary.neededByRace).toBe(
      SITE_IDS.filter((id) =>
        map.sites[id].needs.some((n: { preemptions?: number }) => (n.preemptions ?? 0) > 0),
      ).length,
    );
  });

  it('says, for every site no scenario needs, whether a scenario is missing or the model leaves it out', () => {
    for (const id of SITE_IDS)
      if (map.sites[id].verdict !== 'needed') expect(UNNEEDED[id], `UNNEEDED['${id}']`).toBeTruthy();
  });

  it('every scenario holds when nothing is elided, but R7 in era 2023: the v6.3 stat window (why-locks.mdx)', () => {
    for (const s of map.scenarios)
      if (s.key.startsWith('R7 charge moving needs a stable folio_mapped()') && s.key.endsWith('@2023'))
        expect(s.baseline, s.key).toMatch(/^harm: memcg#A\.anon_mapped \(NR_ANON_MAPPED\) is 1 but 0 mapped/);
      else expect(s.baseline, s.key).toBe('holds');
  });
});
