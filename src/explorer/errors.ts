/**
 * Two kinds of failure, never confused:
 * - a {@link Violation} is a finding: the model did something a rule forbids (a kernel BUG_ON, a
 *   broken invariant). The explorer records it with the schedule that produced it and goes on.
 * - an {@link ExplorerError} is misuse: the model or the caller is wrong (a thread threw a plain
 *   error, yielded garbage, released a lock it does not hold, used Math.random). Exploration stops
 *   and the error names the thread, the step label and the schedule that got there.
 */

/** Thrown by model code (directly or via `bug()`) to record a violated assertion. */
export class Violation extends Error {
  constructor(
    /** The assertion's name: the key under which the result reports it. */
    readonly assertion: string,
    message: string,
  ) {
    super(message);
    this.name = 'Violation';
  }
}

/** Record a named violation from inside a step, like the kernel's BUG_ON / VM_BUG_ON. */
export function bug(assertion: string, message = assertion): never {
  throw new Violation(assertion, message);
}

export interface ErrorSite {
  thread?: string;
  label?: string;
  step?: number;
  schedule?: string;
}

/** Misuse of the explorer or of a model. Exploration stops; the message says where. */
export class ExplorerError extends Error {
  readonly site: ErrorSite;
  constructor(message: string, site: ErrorSite = {}, options?: { cause?: unknown }) {
    const where: string[] = [];
    if (site.thread !== undefined) where.push(`thread '${site.thread}'`);
    if (site.label !== undefined) where.push(`step '${site.label}'`);
    if (site.step !== undefined) where.push(`at step #${site.step}`);
    const head = where.length ? `${message} (${where.join(', ')})` : message;
    super(site.schedule ? `${head}\n  schedule: ${site.schedule}` : head, options);
    this.name = 'ExplorerError';
    this.site = site;
  }
}
