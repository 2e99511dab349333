/**
 * `--on-quota wait`: how long to wait for a usage limit to reset before running the task
 * again. Pure planning plus one abortable sleep.
 *
 * - The agent said when the limit resets (summary error.reset_at): wait until then, plus
 *   RESET_MARGIN_MS (a clock time printed to the minute has passed by the time it shows).
 * - It did not (codex "try again later", a rate limit past the agent's retries): back off,
 *   5 minutes, then 10, 20, 40, and 60 at most per wait.
 * - Every wait of one task counts against --max-wait (default 6 h) from its first limit:
 *   a reset further away than that is not waited for at all; the run stays `quota`.
 */

export const DEFAULT_MAX_WAIT_MS = 6 * 3_600_000;
export const RESET_MARGIN_MS = 1_000;
export const BACKOFF_FIRST_MS = 5 * 60_000;
export const BACKOFF_MAX_MS = 60 * 60_000;

/** What the user asked for a run that hits a usage or rate limit. */
export type OnQuota = 'fail' | 'fallback' | 'wait';

export interface QuotaWaitInput {
  /** error.reset_at of the run that hit the limit, if the agent said. */
  resetAt: string | null | undefined;
  now: Date;
  /** When this task first hit the limit (its first run's end), epoch ms. */
  firstLimitAtMs: number;
  /** Waits already done for this task (0 before the first). */
  waitsSoFar: number;
  maxWaitMs: number;
}

export type QuotaWaitPlan =
  | { kind: 'wait'; waitMs: number; until: Date; reason: 'reset' | 'backoff' }
  | { kind: 'give_up'; reason: string };

/** Decides whether and how long to wait before running the task again. Pure. */
export function planQuotaWait(input: QuotaWaitInput): QuotaWaitPlan {
  const nowMs = input.now.getTime();
  const deadlineMs = input.firstLimitAtMs + input.maxWaitMs;
  const resetMs = input.resetAt ? Date.parse(input.resetAt) : Number.NaN;
  // A reset already past (or the same one again) means the limit outlived what was said: back off.
  if (Number.isFinite(resetMs) && resetMs > nowMs) {
    const untilMs = resetMs + RESET_MARGIN_MS;
    if (untilMs > deadlineMs) {
      return { kind: 'give_up', reason: `the limit resets at ${new Date(resetMs).toISOString()}, after --max-wait` };
    }
    return { kind: 'wait', waitMs: untilMs - nowMs, until: new Date(untilMs), reason: 'reset' };
  }
  const backoffMs = Math.min(BACKOFF_FIRST_MS * 2 ** input.waitsSoFar, BACKOFF_MAX_MS);
  const untilMs = Math.min(nowMs + backoffMs, deadlineMs);
  if (untilMs <= nowMs) return { kind: 'give_up', reason: 'waited --max-wait for the limit to reset' };
  return { kind: 'wait', waitMs: untilMs - nowMs, until: new Date(untilMs), reason: 'backoff' };
}

/** Sleeps `ms`; resolves false at once when `signal` aborts (Ctrl-C, dispatch cancel). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
