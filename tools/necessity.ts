/**
 * `npm run necessity` — the necessity map (issue 14): for every synchronisation site of
 * src/sim/sites.ts and every scenario of tools/necessity-scenarios.ts (rule scenarios' holds side
 * in each era they apply to, and the ported kernel selftests), explore the scenario with the site
 * elided, harms only, stopping at the first harm; record per site which harms appear where, with
 * the counterexample's schedule, or that no scenario needs it. Writes src/sim/necessity.json
 * with the hash of the ops it was computed from (spec-tests/sim/necessity.test.ts checks it).
 *
 * A first pass runs every scenario unelided and records which sites it consults (site()):
 * eliding a site a scenario never consults cannot change its exploration, so only reached
 * (site, scenario) pairs are run. Runs go to worker threads (default: one per core).
 *
 *   npm run necessity                 # 2 workers (this machine's cores), write the map
 *   npm run necessity -- --compare    # then again with 1 worker, and record both wall times
 *   npm run necessity -- --workers 1
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { SITE_IDS, SITES, type SiteId } from '../src/sim/sites.ts';
import { necessityScenarios, type Outcome } from './necessity-scenarios.ts';
import { opsFiles, opsHash } from './ops-hash.ts';

interface Task {
  readonly id: number;
  readonly scenario: number;
  readonly elide: SiteId | null;
}
interface Done {
  readonly id: number;
  readonly outcome: Outcome;
  readonly reached: SiteId[];
  readonly ms: number;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

if (!isMainThread) {
  const { collectReached } = await import('../src/sim/sites.ts');
  const scenarios = necessityScenarios();
  parentPort!.on('message', (t: Task) => {
    const reached = collectReached();
    const t0 = performance.now();
    const outcome = scenarios[t.scenario].run(t.elide ?? undefined);
    parentPort!.postMessage({ id: t.id, outcome, reached: [...reached], ms: performance.now() - t0 } as Done);
  });
} else await main();

/** Run tasks on `n` workers, largest first; `onDone` after each. */
async function pool(n: number, tasks: Task[], onDone: (t: Task, d: Done) => void): Promise<void> {
  const queue = tasks.slice();
  const workers = Array.from({ length: n }, () => new Worker(fileURLToPath(import.meta.url)));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const next = () => {
            const t = queue.shift();
            if (t === undefined) return resolve();
            w.once('message', (d: Done) => {
              onDone(t, d);
              next();
            });
            w.postMessage(t);
          };
          w.on('error', reject);
          next();
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
}

function fmt(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

interface Run {
  baseline: Map<number, Done>;
  elided: Map<string, Done>;
  wallMs: number;
  /** The time workers spent exploring, summed (busyMs / wallMs: how many workers were busy on average). */
  busyMs: number;
}

async function computeMap(workers: number): Promise<Run> {
  const scenarios = necessityScenarios();
  const t0 = performance.now();
  const tty = process.stderr.isTTY;
  const say = (line: string, final = false) => {
    if (tty) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else if (final) process.stderr.write(`${line}\n`);
  };
  // Pass 1: every scenario as it is, recording the sites it reaches.
  const baseline = new Map<number, Done>();
  let n = 0;
  await pool(
    workers,
    scenarios.map((_, i) => ({ id: i, scenario: i, elide: null })),
    (t, d) => {
      baseline.set(t.scenario, d);
      say(
        `[necessity] ${workers} worker(s): baseline ${++n}/${scenarios.length} scenarios, ${fmt(performance.now() - t0)}`,
      );
    },
  );
  say(
    `[necessity] ${workers} worker(s): baseline of ${scenarios.length} scenarios in ${fmt(performance.now() - t0)}`,
    true,
  );
  // Pass 2: every reached (site, scenario) pair with the site elided, costliest first.
  const tasks: Task[] = [];
  for (const site of SITE_IDS)
    for (const [i, d] of baseline)
      if (d.outcome.verdict === 'holds' && d.reached.includes(site))
        tasks.push({ id: tasks.length, scenario: i, elide: site });
  const cost = (t: Task) => baseline.get(t.scenario)!.ms + 1;
  tasks.sort((a, b) => cost(b) - cost(a));
  const left = new Map<SiteId, number>(SITE_IDS.map((s) => [s, 0]));
  for (const t of tasks) left.set(t.elide!, left.get(t.elide!)! + 1);
  const total = tasks.reduce((s, t) => s + cost(t), 0);
  let doneCost = 0;
  let done = 0;
  const t1 = performance.now();
  const elided = new Map<string, Done>();
  await pool(workers, tasks, (t, d) => {
    elided.set(`${t.elide}\0${t.scenario}`, d);
    left.set(t.elide!, left.get(t.elide!)! - 1);
    doneCost += cost(t);
    done++;
    const sitesDone = [...left.values()].filter((v) => v === 0).length;
    const el = performance.now() - t1;
    const eta = doneCost > 0 ? (el / doneCost) * (total - doneCost) : 0;
    say(
      `[necessity] ${workers} worker(s): sites ${sitesDone}/${SITE_IDS.length} done, runs ${done}/${tasks.length}, ${fmt(performance.now() - t0)} elapsed, ~${fmt(eta)} left`,
    );
  });
  const wallMs = performance.now() - t0;
  let busyMs = 0;
  for (const d of [...baseline.values(), ...elided.values()]) busyMs += d.ms;
  say(
    `[necessity] ${workers} worker(s): ${tasks.length} elided runs of ${SITE_IDS.length} sites in ${fmt(wallMs)}`,
    true,
  );
  return { baseline, elided, wallMs, busyMs };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wi = args.indexOf('--workers');
  const workers = wi >= 0 ? Number(args[wi + 1]) : Math.min(2, availableParallelism());
  const run = await computeMap(workers);
  let single: Run | null = null;
  if (args.includes('--compare') && workers !== 1) single = await computeMap(1);

  const scenarios = necessityScenarios();
  const sc = scenarios.map((s, i) => {
    const b = run.baseline.get(i)!;
    return {
      key: s.key,
      kind: s.kind,
      era: s.era,
      baseline:
        b.outcome.verdict === 'holds'
          ? 'holds'
          : `${b.outcome.verdict}: ${b.outcome.message ?? b.outcome.text}`,
      reaches: SITE_IDS.filter((x) => b.reached.includes(x)),
    };
  });
  const sites = Object.fromEntries(
    SITE_IDS.map((id) => {
      const reachedBy: string[] = [];
      const needs: Array<{
        scenario: string;
        harm: string;
        message: string;
        schedule?: string;
        preemptions?: number;
      }> = [];
      const other: Array<{ scenario: string; verdict: string; message: string }> = [];
      for (const [i, s] of scenarios.entries()) {
        const d = run.elided.get(`${id}\0${i}`);
        if (d === undefined) continue;
        reachedBy.push(s.key);
        const o = d.outcome;
        if (o.verdict === 'harm')
          needs.push({
            scenario: s.key,
            harm: o.harm!,
            message: o.message ?? '',
            ...(o.schedule ? { schedule: o.schedule } : {}),
            ...(o.preemptions !== undefined ? { preemptions: o.preemptions } : {}),
          });
        else if (o.verdict !== 'holds')
          other.push({ scenario: s.key, verdict: o.verdict, message: o.message ?? o.text });
      }
      const verdict =
        needs.length > 0 ? 'needed' : reachedBy.length === 0 ? 'unreached' : 'no scenario needs it';
      return [id, { kind: SITES[id].kind, what: SITES[id].what, verdict, reachedBy, needs, other }];
    }),
  );
  if (single !== null) {
    // the map must not depend on the number of workers
    for (const [k, d] of run.elided) {
      const s = single.elided.get(k);
      if (s === undefined || s.outcome.verdict !== d.outcome.verdict || s.outcome.harm !== d.outcome.harm)
        throw new Error(`necessity: 1 worker and ${workers} disagree on ${k.replace('\0', ' in scenario ')}`);
    }
  }
  const needed = Object.values(sites).filter((s) => s.verdict === 'needed').length;
  const out = {
    opsHash: opsHash(ROOT),
    hashedFiles: opsFiles(ROOT),
    summary: {
      sites: SITE_IDS.length,
      needed,
      // needed by a harm some scenario reaches only through a race (minimal preemptions > 0)
      neededByRace: SITE_IDS.filter((id) => sites[id].needs.some((n) => (n.preemptions ?? 0) > 0)).length,
      scenarios: scenarios.length,
      elidedRuns: run.elided.size,
    },
    timing: {
      workers,
      wallMs: Math.round(run.wallMs),
      busyMs: Math.round(run.busyMs),
      ...(single
        ? {
            oneWorkerWallMs: Math.round(single.wallMs),
            oneWorkerBusyMs: Math.round(single.busyMs),
            speedup: +(single.wallMs / run.wallMs).toFixed(2),
          }
        : {}),
    },
    scenarios: sc,
    sites,
  };
  writeFileSync(join(ROOT, 'src/sim/necessity.json'), `${JSON.stringify(out, null, 1)}\n`);
  console.log(
    `necessity: ${needed}/${SITE_IDS.length} sites needed by a harm (${out.summary.neededByRace} through a race); ${scenarios.length} scenarios, ${run.elided.size} elided runs; ` +
      `${fmt(run.wallMs)} with ${workers} worker(s)${single ? `, ${fmt(single.wallMs)} with 1 (×${out.timing.speedup})` : ''}; wrote src/sim/necessity.json`,
  );
}
