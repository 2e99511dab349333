import { describe, expect, it } from 'vitest';
import { foldRolloutLine } from '../../src/executors/codex-rollout.js';
import type { SessionFacts } from '../../src/executors/types.js';
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS, RESET_MARGIN_MS, planQuotaWait, sleepUnlessAborted } from '../../src/modes/quota-wait.js';
import { describeWaiting } from '../../src/report/progress-view.js';

const now = new Date('2026-12-01T12:00:00.000Z');
const HOUR = 3_600_000;
const base = { now, firstLimitAtMs: now.getTime(), waitsSoFar: 0, maxWaitMs: 6 * HOUR };

describe('planQuotaWait', () => {
  it('waits until the named reset, plus a margin', () => {
    expect(planQuotaWait({ ...base, resetAt: '2026-12-01T14:00:00.000Z' })).toEqual({
      kind: 'wait',
      waitMs: 2 * HOUR + RESET_MARGIN_MS,
      until: new Date(Date.parse('2026-12-01T14:00:00.000Z') + RESET_MARGIN_MS),
      reason: 'reset',
    });
  });

  it('does not wait for a reset beyond --max-wait, counted from the first limit', () => {
    expect(planQuotaWait({ ...base, resetAt: '2026-12-04T12:00:00.000Z' })).toMatchObject({ kind: 'give_up', reason: expect.stringContaining('after --max-wait') as string });
    const later = { ...base, now: new Date(now.getTime() + 5 * HOUR), waitsSoFar: 1 };
    expect(planQuotaWait({ ...later, resetAt: '2026-12-01T18:30:00.000Z' })).toMatchObject({ kind: 'give_up' });
  });

  it('backs off 5, 10, 20, 40, then 60 minutes when no reset is named (or it already passed)', () => {
    const waits = [0, 1, 2, 3, 4, 5].map((waitsSoFar) => planQuotaWait({ ...base, maxWaitMs: 100 * HOUR, waitsSoFar, resetAt: null }));
    expect(waits.map((plan) => (plan.kind === 'wait' ? plan.waitMs / 60_000 : null))).toEqual([5, 10, 20, 40, 60, 60]);
    expect(BACKOFF_FIRST_MS).toBe(5 * 60_000);
    expect(BACKOFF_MAX_MS).toBe(HOUR);
    expect(planQuotaWait({ ...base, resetAt: '2026-12-01T11:59:00.000Z' })).toMatchObject({ kind: 'wait', reason: 'backoff', waitMs: BACKOFF_FIRST_MS });
  });

  it('the last back-off stops at --max-wait; past it, gives up', () => {
    const nearEnd = { ...base, now: new Date(now.getTime() + 6 * HOUR - 60_000), waitsSoFar: 6, resetAt: undefined };
    expect(planQuotaWait(nearEnd)).toMatchObject({ kind: 'wait', waitMs: 60_000 });
    expect(planQuotaWait({ ...nearEnd, now: new Date(now.getTime() + 6 * HOUR) })).toMatchObject({ kind: 'give_up' });
  });
});

describe('sleepUnlessAborted', () => {
  it('resolves true after the time, false at once on abort', async () => {
    expect(await sleepUnlessAborted(5, new AbortController().signal)).toBe(true);
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = sleepUnlessAborted(60_000, controller.signal);
    controller.abort();
    expect(await sleeping).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('describeWaiting', () => {
  it('says when, in local time, with the date when not today', () => {
    const today = new Date(2026, 11, 1, 9, 30).getTime();
    expect(describeWaiting({ waitingUntil: new Date(2026, 11, 1, 14, 0).getTime() }, today)).toBe('waiting for the usage limit to reset at 14:00');
    expect(describeWaiting({ waitingUntil: new Date(2026, 11, 4, 9, 5).getTime() }, today)).toBe('waiting for the usage limit to reset at Dec 4 09:05');
    expect(describeWaiting({}, today)).toBe('waiting for the usage limit to reset');
  });
});

describe('foldRolloutLine (codex 0.169 rollout)', () => {
  it('takes the model from turn_context and the reset of a used-up window from token_count', () => {
    const facts: SessionFacts = {};
    const lines = [
      { type: 'session_meta', payload: { cli_version: '0.169.0' } },
      { type: 'turn_context', payload: { model: 'outpost-scripted', cwd: '/repo' } },
      { type: 'event_msg', payload: { type: 'token_count', info: null, rate_limits: { primary: null, secondary: null } } },
      'not json',
      { type: 'event_msg', payload: { type: 'token_count', rate_limits: { primary: { used_percent: 100, window_minutes: 300, resets_at: 1796131352 }, secondary: { used_percent: 40, resets_at: 1796700000 } } } },
    ];
    for (const line of lines) foldRolloutLine(facts, typeof line === 'string' ? line : JSON.stringify(line));
    expect(facts).toEqual({ model: 'outpost-scripted', usageLimitResetAt: '2026-12-01T13:22:32.000Z' });
  });
});
