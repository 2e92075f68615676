/** The bundle bench/sections/25-browser.ts loads into chromium: the rule checks of bench/rule-checks.ts. */
import { bestOf3, coldOnce } from './rule-checks.ts';

(globalThis as { mmspecBench?: unknown }).mmspecBench = { best: bestOf3 };
// In a Worker made for one check (25-browser.ts): run it once, cold, as the page's Run does.
if (typeof WorkerGlobalScope !== 'undefined')
  addEventListener('message', (e: MessageEvent<number>) => postMessage(coldOnce(e.data)));
