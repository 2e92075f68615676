import { ExplorerError } from './errors.ts';
import type { Pick } from './search.ts';

/**
 * Schedule strings: a whole interleaving, readable and short enough for a URL.
 *
 *   mmx1;s=A*2@store,B@load,B:1@pick;h=9f3c2a1b
 *
 * `s` lists runs of steps: `thread[:choice][*count]@label`, where the label is that of the run's
 * last step (checked on replay); `h` hashes every step's label, so a replay that runs the same
 * threads through different code is caught too. Version `mmx1`.
 */

export const SCHEDULE_VERSION = 'mmx1';

export interface Step extends Pick {
  label: string;
}

const esc = (s: string) =>
  s.replace(/[%,;@*:= ]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
const unesc = (s: string) =>
  s.replace(/%([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(Number.parseInt(h, 16)));

export function labelHash(labels: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const l of labels) {
    for (let i = 0; i < l.length; i++) h = Math.imul(h ^ l.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0x1f, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function encodeSchedule(steps: readonly Step[], names: readonly string[]): string {
  const runs: string[] = [];
  let k = 0;
  while (k < steps.length) {
    const s = steps[k];
    let n = 1;
    if (s.choice < 0)
      while (k + n < steps.length && steps[k + n].tid === s.tid && steps[k + n].choice < 0) n++;
    const last = steps[k + n - 1];
    runs.push(
      `${names[s.tid]}${s.choice >= 0 ? `:${s.choice}` : ''}${n > 1 ? `*${n}` : ''}@${esc(last.label)}`,
    );
    k += n;
  }
  return `${SCHEDULE_VERSION};s=${runs.join(',')};h=${labelHash(steps.map((s) => s.label))}`;
}

export interface DecodedRun {
  tid: number;
  choice: number;
  count: number;
  label: string;
}

export interface Decoded {
  runs: DecodedRun[];
  hash: string | null;
  /** One pick per step. */
  picks: Pick[];
  /** Step index -> label expected at the end of a run. */
  checkpoints: Map<number, string>;
}

export function decodeSchedule(text: string, names: readonly string[]): Decoded {
  const parts = text.trim().split(';');
  if (parts[0] !== SCHEDULE_VERSION)
    throw new ExplorerError(`schedule: unknown version '${parts[0]}' (expected '${SCHEDULE_VERSION}')`);
  let body: string | null = null;
  let hash: string | null = null;
  for (const p of parts.slice(1)) {
    if (p.startsWith('s=')) body = p.slice(2);
    else if (p.startsWith('h=')) hash = p.slice(2);
    else if (p !== '' && !p.startsWith('m=')) throw new ExplorerError(`schedule: unknown field '${p}'`);
  }
  if (body === null) throw new ExplorerError('schedule: no steps (s=...)');
  const runs: DecodedRun[] = [];
  const picks: Pick[] = [];
  const checkpoints = new Map<number, string>();
  for (const tok of body === '' ? [] : body.split(',')) {
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)(?::(\d+))?(?:\*(\d+))?(?:@(.*))?$/.exec(tok);
    if (!m) throw new ExplorerError(`schedule: cannot read '${tok}'`);
    const tid = names.indexOf(m[1]);
    if (tid < 0)
      throw new ExplorerError(`schedule: no thread named '${m[1]}' (threads: ${names.join(', ')})`);
    const choice = m[2] === undefined ? -1 : Number(m[2]);
    const count = m[3] === undefined ? 1 : Number(m[3]);
    if (!(count >= 1)) throw new ExplorerError(`schedule: bad count in '${tok}'`);
    const label = m[4] === undefined ? '' : unesc(m[4]);
    runs.push({ tid, choice, count, label });
    for (let i = 0; i < count; i++) picks.push({ tid, choice });
    if (m[4] !== undefined) checkpoints.set(picks.length - 1, label);
  }
  return { runs, hash, picks, checkpoints };
}
