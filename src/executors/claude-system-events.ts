/**
 * claude 2.1.197's `system` lines and `rate_limit_event` (docs/AGENT-FACTS.md "Events",
 * "Usage limits"), mapped onto normalized events. Pure.
 */
import type { AgentEvent } from '../events.js';
import { classifyClaudeError } from './classify-error.js';
import { isObject, numberField, stringField, type JsonObject } from './json-fields.js';
import { epochSecondsToIso } from './quota-reset.js';

/**
 * How long claude's own rate-limit retries may run before the dispatcher stops it: each
 * announced wait at most 60 s, and all of them together at most 5 minutes. A short 429
 * (retry-after of a few seconds) is a hiccup claude rides out; longer is a limit.
 */
export const RATE_LIMIT_RETRY_BOUND = { maxDelayMs: 60_000, maxTotalMs: 300_000 } as const;

/** What the system-line mapping remembers within one run. */
export interface SystemState {
  /** Sum of the retry delays claude announced for rate-limit (429) retries so far. */
  rateLimitRetryMs: number;
}

export function createSystemState(): SystemState {
  return { rateLimitRetryMs: 0 };
}

// claude reports quiet bookkeeping too: a running estimate of thinking tokens (the thinking
// arrives as a block, the usage with the result) and permission-mode / compaction status.
const QUIET_SUBTYPES = new Set(['thinking_tokens', 'status']);
const TASK_SUBTYPES = new Set(['task_started', 'task_progress', 'task_updated', 'task_notification']);

/** undefined means "not recognised": the caller emits `unknown`. */
export function mapSystem(value: JsonObject, state: SystemState): AgentEvent[] | undefined {
  const subtype = stringField(value, 'subtype');
  if (subtype === 'init') return mapInit(value);
  if (subtype === 'api_retry') return [mapApiRetry(value, state)];
  if (subtype !== undefined && TASK_SUBTYPES.has(subtype)) return mapTask(value, subtype);
  if (subtype !== undefined && QUIET_SUBTYPES.has(subtype)) return [];
  return undefined;
}

function mapInit(value: JsonObject): AgentEvent[] | undefined {
  const sessionId = stringField(value, 'session_id');
  if (sessionId === undefined) return undefined;
  const model = stringField(value, 'model');
  if (model === undefined) return [{ type: 'session.started', session_id: sessionId }];
  return [{ type: 'session.started', session_id: sessionId, model }];
}

/**
 * Auth retries are fatal from the second one; rate-limit retries run on within RATE_LIMIT_RETRY_BOUND.
 * A subscription's used-up window never gets here: claude does not retry it (rate_limit_event).
 */
function mapApiRetry(value: JsonObject, state: SystemState): AgentEvent {
  const code = stringField(value, 'error') ?? 'unknown';
  const status = value.error_status === null ? null : numberField(value, 'error_status');
  const attempt = `${numberField(value, 'attempt') ?? '?'}/${numberField(value, 'max_retries') ?? '?'}`;
  const delayMs = numberField(value, 'retry_delay_ms') ?? 0;
  const http = typeof status === 'number' ? ` (HTTP ${status})` : '';
  const kind = classifyClaudeError(code, undefined, status);
  // claude 2.1.197 answers a 401 on a /login by re-reading its credential store, which runs
  // share with the user: another claude's refresh is found there and the retry succeeds. So
  // the first auth retry is let through; a second one means the login itself is bad.
  let fatal = kind === 'usage_limit' || (kind === 'auth' && numberField(value, 'attempt') !== 1);
  let note = '';
  if (kind === 'rate_limit') {
    state.rateLimitRetryMs += delayMs;
    fatal = delayMs > RATE_LIMIT_RETRY_BOUND.maxDelayMs || state.rateLimitRetryMs > RATE_LIMIT_RETRY_BOUND.maxTotalMs;
    if (fatal) note = `; stopped: rate-limit retries past ${RATE_LIMIT_RETRY_BOUND.maxDelayMs / 1000} s a wait or ${RATE_LIMIT_RETRY_BOUND.maxTotalMs / 1000} s in all`;
  }
  return {
    type: 'error',
    message: `API retry ${attempt}: ${code}${http}, next in ${Math.round(delayMs)} ms${note}`,
    error_kind: kind,
    fatal,
  };
}

/** `task_started` → started; `task_progress` → running; `task_notification` → its status. */
function mapTask(value: JsonObject, subtype: string): AgentEvent[] | undefined {
  const id = stringField(value, 'task_id');
  if (id === undefined) return undefined;
  const patch = isObject(value.patch) ? value.patch : {};
  const status =
    subtype === 'task_started'
      ? 'started'
      : subtype === 'task_progress'
        ? 'running'
        : (stringField(value, 'status') ?? stringField(patch, 'status') ?? 'updated');
  const event: Extract<AgentEvent, { type: 'task' }> = { type: 'task', id, status };
  const description = stringField(value, 'description') ?? stringField(patch, 'description');
  if (description) event.description = description;
  const summary = stringField(value, 'summary');
  if (summary) event.summary = summary;
  return [event];
}

/**
 * `rate_limit_event` (claude 2.1.197, subscription logins only): `rejected` with a window
 * (rateLimitType five_hour, seven_day…) means it is used up — fatal, with its reset; unless
 * claude goes on with overage credits. `rejected` with no window and no reset is any other 429
 * (claude then says "Server is temporarily limiting requests (not your usage limit)" and
 * gives up without retrying): a rate limit. `allowed_warning` is a warning; `allowed` is news of nothing.
 */
export function mapRateLimitEvent(value: JsonObject): AgentEvent[] | undefined {
  const info = isObject(value.rate_limit_info) ? value.rate_limit_info : undefined;
  const status = info ? stringField(info, 'status') : undefined;
  if (info === undefined || status === undefined) return undefined;
  const window = stringField(info, 'rateLimitType') ?? 'usage';
  const resetsAt = numberField(info, 'resetsAt');
  const resetAt = resetsAt === undefined ? undefined : epochSecondsToIso(resetsAt);
  const resets = resetAt ? `, resets at ${resetAt}` : '';
  const hasWindow = stringField(info, 'rateLimitType') !== undefined || resetAt !== undefined;
  if (status === 'rejected' && !hasWindow) {
    return [{ type: 'error', message: 'rate limited (HTTP 429, no usage window named)', error_kind: 'rate_limit', fatal: false }];
  }
  if (status === 'rejected' && info.isUsingOverage !== true) {
    const event: AgentEvent = { type: 'error', message: `usage limit reached (${window} window)${resets}`, error_kind: 'usage_limit', fatal: true };
    if (resetAt) event.reset_at = resetAt;
    return [event];
  }
  if (status === 'allowed_warning' || status === 'rejected') {
    const utilization = numberField(info, 'utilization');
    const used = utilization === undefined ? '' : `, ${Math.round(utilization * 100)}% used`;
    const what = status === 'rejected' ? 'usage limit reached, going on with overage credits' : 'close to the usage limit';
    return [{ type: 'warning', message: `${what} (${window} window${used})${resets}` }];
  }
  return [];
}
