import { describe, expect, it } from 'vitest';
import { epochSecondsToIso, parseQuotaResetAt } from '../../src/executors/quota-reset.js';

// Texts exactly as codex 0.169 and claude 2.1.197 printed them against the scripted server.
const CODEX = 'You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or';

describe('parseQuotaResetAt', () => {
  const now = new Date('2026-12-01T12:22:19.000Z');

  it('reads the Unix-seconds reset of the older claude message', () => {
    expect(parseQuotaResetAt('Claude AI usage limit reached|1764000000', now)).toBe('2025-11-24T16:00:00.000Z');
  });

  it('adds older codex relative durations to now', () => {
    expect(parseQuotaResetAt(`${CODEX} try again in 3 days 6 hours 57 minutes.`, now)).toBe('2026-12-04T19:19:19.000Z');
    expect(parseQuotaResetAt('try again in 5 minutes.', now)).toBe('2026-12-01T12:27:19.000Z');
    expect(parseQuotaResetAt('Try again in 1 hour and 30 seconds', now)).toBe('2026-12-01T13:22:49.000Z');
  });

  it('reads codex "try again at 1:22 PM" in the agent’s local zone, today', () => {
    expect(parseQuotaResetAt(`${CODEX} try again at 1:22 PM.`, now, { timeZone: 'UTC' })).toBe('2026-12-01T13:22:00.000Z');
    // TZ=America/New_York: codex printed 8:22 AM for the same reset (UTC-5 in December).
    expect(parseQuotaResetAt(`${CODEX} try again at 8:22 AM.`, now, { timeZone: 'America/New_York' })).toBe('2026-12-01T13:22:00.000Z');
    expect(parseQuotaResetAt(`${CODEX} try again at 12:05 AM.`, now, { timeZone: 'UTC' })).toBe('2026-12-02T00:05:00.000Z');
  });

  it('a clock time already past is tomorrow’s, unless it passed a moment ago', () => {
    expect(parseQuotaResetAt('try again at 9:00 AM.', now, { timeZone: 'UTC' })).toBe('2026-12-02T09:00:00.000Z');
    expect(parseQuotaResetAt('try again at 12:22 PM.', now, { timeZone: 'UTC' })).toBe('2026-12-01T12:22:00.000Z');
  });

  it('reads codex dated resets "at Dec 4th, 2026 1:22 PM"', () => {
    expect(parseQuotaResetAt(`${CODEX} try again at Dec 4th, 2026 1:22 PM.`, now, { timeZone: 'UTC' })).toBe('2026-12-04T13:22:00.000Z');
    expect(parseQuotaResetAt('try again at Dec 2nd, 2026 3:15 PM.', now, { timeZone: 'Europe/Berlin' })).toBe('2026-12-02T14:15:00.000Z');
  });

  it('reads claude "resets 2:21pm (Europe/Berlin)" in the named zone, whatever ours is', () => {
    const text = "You've hit your session limit · resets 2:21pm (Europe/Berlin)";
    expect(parseQuotaResetAt(text, now, { timeZone: 'America/Los_Angeles' })).toBe('2026-12-01T13:21:00.000Z');
    expect(parseQuotaResetAt("You've hit your limit · resets 9am (Europe/Berlin)", now)).toBe('2026-12-02T08:00:00.000Z');
    expect(parseQuotaResetAt("You've hit your session limit · resets 7:20am (Europe/Paris)", now)).toBe('2026-12-02T06:20:00.000Z');
  });

  it('reads claude dated resets, with and without a year, across daylight saving', () => {
    expect(parseQuotaResetAt("You've hit your weekly limit · resets Dec 4, 1pm (Europe/Berlin)", now)).toBe('2026-12-04T12:00:00.000Z');
    expect(parseQuotaResetAt("You've hit your weekly limit · resets Jan 3, 2027, 9am (Europe/Berlin)", now)).toBe('2027-01-03T08:00:00.000Z');
    // Summer time in Berlin is UTC+2.
    expect(parseQuotaResetAt('resets Jul 1, 2027, 9:30am (Europe/Berlin)', now)).toBe('2027-07-01T07:30:00.000Z');
    // A date earlier in the year than now, without a year, is next year's.
    expect(parseQuotaResetAt('resets Jan 2, 9am (UTC)', now)).toBe('2027-01-02T09:00:00.000Z');
  });

  it('an unknown zone name falls back to the local zone', () => {
    expect(parseQuotaResetAt('resets 3pm (Mars/Olympus)', now, { timeZone: 'UTC' })).toBe('2026-12-01T15:00:00.000Z');
  });

  it('reads "Try again Aug 18." as the start of that day', () => {
    expect(parseQuotaResetAt("You've hit your usage limit. Try again Aug 18.", now, { timeZone: 'UTC' })).toBe('2027-08-18T00:00:00.000Z');
  });

  it('gives undefined when no reset time is named', () => {
    expect(parseQuotaResetAt(`${CODEX} try again later.`, now)).toBeUndefined();
    expect(parseQuotaResetAt('This is a server-side issue, usually temporary — try again in a moment.', now)).toBeUndefined();
    expect(parseQuotaResetAt('try again in 2 fortnights', now)).toBeUndefined();
    expect(parseQuotaResetAt('try again at 13:99 PM', now)).toBeUndefined();
    expect(parseQuotaResetAt('', now)).toBeUndefined();
  });
});

describe('epochSecondsToIso', () => {
  it('turns claude resetsAt / a 429 body resets_at into ISO UTC', () => {
    expect(epochSecondsToIso(1796131282)).toBe('2026-12-01T13:21:22.000Z');
    expect(epochSecondsToIso(0)).toBeUndefined();
    expect(epochSecondsToIso(Number.NaN)).toBeUndefined();
  });
});
