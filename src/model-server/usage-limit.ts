import type { TurnPlan } from './scenarios.js';

type UsageLimitPlan = Extract<TurnPlan, { kind: 'usage-limit' }>;

/** The 429 of a used-up subscription window, as each service sends it. */
export interface UsageLimitAnswer {
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * codex (ChatGPT login): a 429 whose body has `error.type: "usage_limit_reached"` and the
 * reset as `resets_at` (epoch seconds) or `resets_in_seconds`; the `x-codex-primary-*`
 * headers carry the window. claude (subscription login): a 429 with the
 * `anthropic-ratelimit-unified-*` headers, status `rejected`; claude 2.1.197 reads them only
 * for an OAuth login (CLAUDE_CODE_OAUTH_TOKEN), not for an API key.
 */
export function buildUsageLimitAnswer(api: 'responses' | 'messages', plan: UsageLimitPlan, requestId: string): UsageLimitAnswer {
  const resetsInSeconds = Math.max(0, plan.resetsAt - Math.floor(Date.now() / 1000));
  const windowMinutes = plan.window === 'five_hour' ? 300 : 10_080;
  if (api === 'responses') {
    const error: Record<string, unknown> = {
      type: 'usage_limit_reached',
      message: 'The usage limit has been reached (outpost model server)',
      plan_type: 'plus',
    };
    if (plan.bodyField === 'resets_at') error.resets_at = plan.resetsAt;
    else error.resets_in_seconds = resetsInSeconds;
    return {
      headers: {
        'x-codex-primary-used-percent': '100',
        'x-codex-primary-window-minutes': String(windowMinutes),
        'x-codex-primary-reset-after-seconds': String(resetsInSeconds),
        'x-codex-primary-reset-at': String(plan.resetsAt),
      },
      body: { error },
    };
  }
  return {
    headers: {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(plan.resetsAt),
      'anthropic-ratelimit-unified-representative-claim': plan.window,
    },
    body: {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'This request would exceed your account\'s rate limit (outpost model server).' },
      request_id: requestId,
    },
  };
}
