import { describe, expect, it } from 'vitest';
import {
  classifyClaudeError,
  classifyCodexError,
  parseQuotaResetAt,
} from '../../src/executors/classify-error.js';

describe('classifyCodexError', () => {
  it.each([
    ['unexpected status 401 Unauthorized: fake: invalid x-api-key, url: http://127.0.0.1:18181/v1/responses', 'auth'],
    ['Reconnecting... 3/5 (unexpected status 401 Unauthorized: fake: invalid x-api-key)', 'auth'],
    ['Missing environment variable: `MOCK_KEY`.', 'auth'],
    ['exceeded retry limit, last status: 429 Too Many Requests', 'quota'],
    ['Reconnecting... 1/5 (exceeded retry limit, last status: 429 Too Many Requests)', 'quota'],
    ['exceeded retry limit', 'quota'],
    ['Connection failed: error sending request', 'network'],
    ['Reconnecting... waiting for network (Connection failed: error sending request)', 'network'],
    ['stream disconnected before completion: Transport error: network error: error decoding response body', 'network'],
    ['stream disconnected before completion: idle timeout waiting for SSE', 'network'],
    ['error sending request for url (https://api.openai.com/v1/responses)', 'network'],
    ['stream disconnected before completion: failed to lookup address information: Name does not resolve', 'network'],
    ['unexpected status 500 Internal Server Error: boom', 'server'],
    ['exceeded retry limit, last status: 502 Bad Gateway', 'server'],
    ['unexpected status 503 Service Unavailable', 'server'],
    ['We’re currently experiencing high demand, which may cause temporary errors.', 'server'],
    ['Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.', 'other'],
    ['', 'other'],
  ] as const)('%s → %s', (message, kind) => {
    expect(classifyCodexError(message)).toBe(kind);
  });

  it('recognises the ChatGPT-plan usage-limit messages (AGENT-PROTOCOLS §5) as quota', () => {
    const base = "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or";
    expect(classifyCodexError(`${base} try again at 3:28 PM.`)).toBe('quota');
    expect(classifyCodexError(`${base} try again in 3 days 6 hours 57 minutes.`)).toBe('quota');
    expect(classifyCodexError(`${base} Try again Aug 18.`)).toBe('quota');
    expect(classifyCodexError('You’ve hit your usage limit. Try again Aug 18.')).toBe('quota');
  });
});

describe('classifyClaudeError', () => {
  it.each([
    ['authentication_failed', undefined, 401, 'auth'],
    ['authentication_failed', 'Invalid API key · Fix external API key', undefined, 'auth'],
    [undefined, 'Not logged in · Please run /login', undefined, 'auth'],
    [undefined, 'Invalid API key', null, 'auth'],
    [undefined, 'OAuth token has expired. Please obtain a new token or refresh your existing token.', undefined, 'auth'],
    ['rate_limit', undefined, 429, 'quota'],
    ['rate_limit', 'API Error: Request rejected (429) · fake: rate limited', undefined, 'quota'],
    [undefined, 'Claude AI usage limit reached|1764000000', undefined, 'quota'],
    [undefined, "You've hit your session limit · resets 7:20am (Europe/Paris)", undefined, 'quota'],
    [undefined, "You've hit your limit · resets 3pm (Europe/Rome)", undefined, 'quota'],
    [undefined, 'Credit balance is too low', undefined, 'quota'],
    ['server_error', undefined, 500, 'server'],
    ['overloaded', undefined, 529, 'server'],
    ['server_error', 'API Error: 500 fake: internal server error. This is a server-side issue', null, 'server'],
    [undefined, undefined, 503, 'server'],
    ['server_error', 'API Error: Connection to the API was lost (ECONNRESET). This is usually temporary', null, 'network'],
    ['server_error', 'API Error: Unable to connect to API (ConnectionRefused)', null, 'network'],
    ['server_error', 'Request timed out', null, 'network'],
    ['unknown', undefined, null, 'network'],
    ['unknown', undefined, undefined, 'other'],
    [undefined, 'error_max_turns', undefined, 'other'],
    [undefined, undefined, undefined, 'other'],
  ] as const)('(%s, %s, %s) → %s', (code, text, status, kind) => {
    expect(classifyClaudeError(code, text, status)).toBe(kind);
  });
});

describe('parseQuotaResetAt', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');

  it('reads the Unix-seconds reset of the older claude message', () => {
    expect(parseQuotaResetAt('Claude AI usage limit reached|1764000000', now)).toBe('2025-11-24T16:00:00.000Z');
  });

  it('adds codex relative durations to now', () => {
    const text =
      "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again in 3 days 6 hours 57 minutes.";
    expect(parseQuotaResetAt(text, now)).toBe('2026-01-04T06:57:00.000Z');
    expect(parseQuotaResetAt('try again in 5 minutes.', now)).toBe('2026-01-01T00:05:00.000Z');
    expect(parseQuotaResetAt('Try again in 1 hour and 30 seconds', now)).toBe('2026-01-01T01:00:30.000Z');
  });

  it('gives undefined for clock-only or missing reset times', () => {
    expect(parseQuotaResetAt("You've hit your usage limit. ... or try again at 3:28 PM.", now)).toBeUndefined();
    expect(parseQuotaResetAt("You've hit your session limit · resets 7:20am (Europe/Paris)", now)).toBeUndefined();
    expect(parseQuotaResetAt("You've hit your limit · resets 3pm (Europe/Rome)", now)).toBeUndefined();
    expect(parseQuotaResetAt("You've hit your usage limit. Try again Aug 18.", now)).toBeUndefined();
    expect(parseQuotaResetAt('This is a server-side issue, usually temporary — try again in a moment.', now)).toBeUndefined();
    expect(parseQuotaResetAt('try again in 2 fortnights', now)).toBeUndefined();
    expect(parseQuotaResetAt('', now)).toBeUndefined();
  });
});
