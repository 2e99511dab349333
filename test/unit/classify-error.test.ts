import { describe, expect, it } from 'vitest';
import { classifyClaudeError, classifyCodexError } from '../../src/executors/classify-error.js';

describe('classifyCodexError', () => {
  it.each([
    ['unexpected status 401 Unauthorized: fake: invalid x-api-key, url: http://127.0.0.1:18181/v1/responses', 'auth'],
    ['Reconnecting... 3/5 (unexpected status 401 Unauthorized: fake: invalid x-api-key)', 'auth'],
    ['Missing environment variable: `MOCK_KEY`.', 'auth'],
    ['exceeded retry limit, last status: 429 Too Many Requests', 'rate_limit'],
    ['Reconnecting... 1/5 (exceeded retry limit, last status: 429 Too Many Requests)', 'rate_limit'],
    ['exceeded retry limit', 'rate_limit'],
    ['Quota exceeded. Check your plan and billing details.', 'usage_limit'],
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

  it('recognises the ChatGPT-plan usage-limit messages as usage_limit, not a rate limit', () => {
    const base = "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or";
    expect(classifyCodexError(`${base} try again at 3:28 PM.`)).toBe('usage_limit');
    expect(classifyCodexError(`${base} try again in 3 days 6 hours 57 minutes.`)).toBe('usage_limit');
    expect(classifyCodexError(`${base} Try again Aug 18.`)).toBe('usage_limit');
    expect(classifyCodexError('You’ve hit your usage limit. Try again Aug 18.')).toBe('usage_limit');
    // codex 0.169, exactly as printed for a 429 whose body says usage_limit_reached.
    const real =
      'You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again later.';
    expect(classifyCodexError(real)).toBe('usage_limit');
  });
});

describe('classifyClaudeError', () => {
  it.each([
    ['authentication_failed', undefined, 401, 'auth'],
    ['authentication_failed', 'Invalid API key · Fix external API key', undefined, 'auth'],
    [undefined, 'Not logged in · Please run /login', undefined, 'auth'],
    [undefined, 'Invalid API key', null, 'auth'],
    [undefined, 'OAuth token has expired. Please obtain a new token or refresh your existing token.', undefined, 'auth'],
    ['rate_limit', undefined, 429, 'rate_limit'],
    ['rate_limit', 'API Error: Request rejected (429) · fake: rate limited', undefined, 'rate_limit'],
    [undefined, 'Claude AI usage limit reached|1764000000', undefined, 'usage_limit'],
    [undefined, "You've hit your session limit · resets 7:20am (Europe/Paris)", undefined, 'usage_limit'],
    ['rate_limit', "You've hit your session limit · resets 2:21pm (Europe/Berlin)", 429, 'usage_limit'],
    [undefined, "You've hit your weekly limit · resets Dec 4, 1pm (Europe/Berlin)", 429, 'usage_limit'],
    [undefined, "You've hit your limit · resets 3pm (Europe/Rome)", undefined, 'usage_limit'],
    [undefined, 'Credit balance is too low', undefined, 'usage_limit'],
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
