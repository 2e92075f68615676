/** The bundle bench/sections/25-browser.ts loads into chromium: the rule checks of bench/rule-checks.ts. */
import { bestOf3 } from './rule-checks.ts';

(globalThis as { mmspecBench?: unknown }).mmspecBench = { best: bestOf3 };
