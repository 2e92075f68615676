/**
 * Run and Stop: a fresh module worker per Run (worker/run.worker.ts), terminated after the block's
 * timeout or on Stop; the job goes with a private MessagePort, the only channel the page listens
 * to (shared/protocol.ts). Results go to the block's aria-live <output>: the status, each
 * exploration's verdict and counts, and each counterexample's live view (trace-view.ts, lazily).
 */
import type { ExploreSummary, FromWorker, ToWorker } from '../shared/protocol.ts';
import { $, button, currentCode, type Outcome, type Shown, state, staticTraces } from './block.ts';
import { h } from './dom.ts';

// --- Workers: a fresh one per run; one spare is started ahead so a warm Run does not wait ---------
let spare: Worker | null = null;

export function newWorker(): Worker {
  return new Worker(new URL('../worker/run.worker.ts', import.meta.url), {
    type: 'module',
    name: 'mmspec-run',
  });
}

function takeWorker(): Worker {
  const w = spare ?? newWorker();
  spare = null;
  return w;
}

function prepareSpare() {
  setTimeout(() => {
    spare ??= newWorker();
  }, 0);
}

/** Give a worker its one job and listen on the job's private port (protocol.ts). */
export function startJob(worker: Worker, job: ToWorker, onMessage: (m: FromWorker) => void): MessagePort {
  const channel = new MessageChannel();
  channel.port1.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.postMessage(job, [channel.port2]);
  return channel.port1;
}

// --- Output -------------------------------------------------------------------------------------
function codeLineText(el: HTMLElement, line: number): string {
  return currentCode(el).split('\n')[line - 1]?.trim() ?? '';
}

function where(el: HTMLElement, at: { line: number } | null): string {
  if (!at) return '';
  const mdxLine = Number(el.dataset.codeLine) + at.line - 1;
  const edited = state(el).code !== null || state(el).editor?.isEdited();
  return ` at line ${at.line} of the block${edited ? '' : ` (${el.dataset.file}:${mdxLine})`}`;
}

/** The live view of a counterexample: loaded on demand, it replaces the build-time picture. */
function showTrace(el: HTMLElement, r: ExploreSummary, box: HTMLElement, start: number) {
  const cex = r.counterexample;
  if (!cex) return;
  const s = state(el);
  const shown: Shown = { index: r.index, model: r.model, schedule: cex.schedule, view: null };
  s.shown ??= shown;
  const slot = h('div', { class: 'spec-trace-slot' }, 'Drawing the counterexample…');
  box.append(slot);
  const t = staticTraces(el);
  if (t) t.hidden = true;
  import('./trace-view.ts').then(({ traceView }) => {
    shown.view = traceView(cex, {
      model: r.model,
      index: r.index,
      start,
      onStep: () => {
        state(el).shown = shown;
      },
    });
    slot.replaceWith(shown.view.element);
  });
}

function renderExplore(r: ExploreSummary, fromLink = false): HTMLElement {
  const c = r.counts;
  const counts = ['executions', 'complete', 'deadlocked', 'violating', 'traces', 'finalStates']
    .filter((k) => c[k] !== undefined)
    .map((k) => `${k === 'finalStates' ? 'final states' : k} ${c[k]}`)
    .join(' · ');
  const box = h(
    'div',
    { class: 'spec-explore', 'data-verdict': r.verdict },
    h('p', {}, h('strong', {}, `${r.model}: ${r.verdict}`), ` — ${r.text}`),
    h('p', { class: 'spec-counts' }, counts),
  );
  if (fromLink && r.strategy === 'replay')
    box.append(h('p', { class: 'spec-replayed' }, 'Replayed the schedule from the link.'));
  if (r.counterexample) {
    box.append(
      h(
        'details',
        {},
        h('summary', {}, 'Counterexample as text (schedule ', h('code', {}, r.counterexample.schedule), ')'),
        h('pre', { class: 'spec-trace' }, r.counterexample.text),
      ),
    );
  }
  return box;
}

function describe(el: HTMLElement, o: Outcome): { status: string; text: string } {
  const timeout = Number(el.dataset.timeout);
  switch (o.status) {
    case 'pass':
      return { status: 'pass', text: `✓ Passed in ${Math.round(o.ms)} ms.` };
    case 'fail':
    case 'error': {
      const at = o.error.at;
      const line = at ? codeLineText(el, at.line) : '';
      const kind = o.status === 'error' ? 'Cannot run' : 'Failed';
      return {
        status: o.status,
        text: `✗ ${kind}${where(el, at)}: ${o.error.name}: ${o.error.message}${line ? `\n  ${at?.line} | ${line}` : ''}`,
      };
    }
    case 'timeout':
      return {
        status: 'timeout',
        text: `✗ Timed out after ${timeout} ms: the block was stopped (its worker terminated). A block runs for at most timeout=${timeout} ms; give explore() a budget (maxExecutions, timeMs) or raise the block's timeout.`,
      };
    case 'stopped':
      return { status: 'stopped', text: `■ Stopped after ${Math.round(o.ms)} ms.` };
    case 'crash':
      return { status: 'error', text: `✗ The runner failed to start: ${o.message}` };
  }
}

export function run(el: HTMLElement): Promise<Outcome> {
  const s = state(el);
  if (s.run) return Promise.resolve({ status: 'stopped', ms: 0 });
  const out = $<HTMLOutputElement>(el, 'output');
  const progress = h('span', { class: 'spec-progress', 'aria-live': 'off' }, 'Running…');
  const logs = h('pre', { class: 'spec-logs', hidden: '' });
  const explores = h('div', { class: 'spec-explores' });
  out.replaceChildren(progress, explores, logs);
  out.dataset.state = 'running';
  el.dataset.state = 'running';
  const runBtn = button(el, 'run');
  const stopBtn = button(el, 'stop');
  runBtn.disabled = true;
  stopBtn.hidden = false;
  s.editor?.markLine(null);

  const code = currentCode(el);
  const replay = s.replay;
  s.replay = null;
  s.shown = null;
  const seen = new Set<string>();
  const t0 = performance.now();
  const worker = takeWorker();
  let port: MessagePort | null = null;
  return new Promise<Outcome>((resolve) => {
    const finish = (o: Outcome) => {
      if (s.run?.worker !== worker) return;
      clearTimeout(s.run.timer);
      s.run = null;
      worker.terminate();
      port?.close();
      const d = describe(el, o);
      progress.remove();
      out.prepend(h('p', { class: 'spec-status', 'data-status': d.status }, d.text));
      out.dataset.state = d.status;
      el.dataset.state = d.status;
      runBtn.disabled = false;
      stopBtn.hidden = true;
      if ((o.status === 'fail' || o.status === 'error') && o.error.at) s.editor?.markLine(o.error.at.line);
      if (document.activeElement === stopBtn || document.activeElement === document.body) runBtn.focus();
      prepareSpare();
      resolve(o);
    };
    const timer = window.setTimeout(
      () => finish({ status: 'timeout', ms: performance.now() - t0 }),
      Number(el.dataset.timeout),
    );
    s.run = { worker, timer, finish, t0 };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'log') {
        logs.hidden = false;
        logs.append(`${m.level === 'log' ? '' : `[${m.level}] `}${m.text}\n`);
      } else if (m.type === 'progress') {
        progress.textContent = `Exploring ${m.model}: ${m.executions} executions (${Math.round(m.perSec)}/s)…`;
      } else if (m.type === 'explore') {
        const box = renderExplore(m.result, replay?.index === m.result.index);
        explores.append(box);
        const cex = m.result.counterexample;
        // Draw each distinct counterexample once (a replay of one just found is the same picture).
        if (cex && !seen.has(`${m.result.model}\u0000${cex.schedule}`)) {
          seen.add(`${m.result.model}\u0000${cex.schedule}`);
          const start = replay?.index === m.result.index ? replay.step : 0;
          showTrace(el, m.result, box, start);
        }
      } else if (m.type === 'done') {
        const ms = performance.now() - t0;
        finish(m.status === 'pass' ? { status: 'pass', ms } : { status: m.status, ms, error: m.error! });
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      finish({ status: 'crash', ms: performance.now() - t0, message: e.message || 'worker error' });
    };
    port = startJob(worker, { code, replay }, onMessage);
  });
}

export function stop(el: HTMLElement) {
  const s = state(el);
  s.run?.finish({ status: 'stopped', ms: performance.now() - s.run.t0 });
}
