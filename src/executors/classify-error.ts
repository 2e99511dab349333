/**
 * Why did an agent fail? Pure text classification of the error strings both CLIs print
 * (AGENT-PROTOCOLS §5). The callers keep the raw text in the event; this only adds a kind.
 */
import type { ErrorKind } from '../events.js';

const CODEX_AUTH = [
  /\b401 Unauthorized\b/i,
  /status:?\s*40[13]\b/i,
  /\b403 Forbidden\b/i,
  /missing environment variable/i,
  // codex 0.169 when a ChatGPT login cannot be refreshed (revoked, reused, expired chain).
  /access token could not be refreshed/i,
];
const CODEX_QUOTA_STATUS = [/status:?\s*429\b/i, /too many requests/i];
const CODEX_QUOTA_TEXT = [/hit your usage limit/i, /usage limit/i, /insufficient_quota/i, /quota exceeded/i];
const CODEX_SERVER = [
  /status:?\s*5\d\d\b/i,
  /\b5\d\d (internal server error|bad gateway|service unavailable|gateway timeout)\b/i,
  /internal server error/i,
  /high demand/i,
  /\boverloaded\b/i,
  /server_error/i,
];
const CODEX_NETWORK = [
  /connection failed/i,
  /waiting for network/i,
  /stream disconnected/i,
  /error sending request/i,
  /failed to lookup address/i,
  /transport error/i,
  /connection (refused|reset)/i,
  /timed out/i,
];

const CLAUDE_AUTH_CODES = new Set(['authentication_failed', 'authentication_error', 'permission_error']);
const CLAUDE_QUOTA_CODES = new Set(['rate_limit', 'rate_limit_error', 'billing_error']);
const CLAUDE_SERVER_CODES = new Set(['server_error', 'overloaded', 'overloaded_error', 'api_error']);
const CLAUDE_AUTH = [/not logged in/i, /invalid api key/i, /oauth token has expired/i, /please run \/login/i];
const CLAUDE_QUOTA = [
  /usage limit reached/i,
  /hit your (\w+ )?limit/i,
  /credit balance is too low/i,
  /rate limit/i,
];
const CLAUDE_NETWORK = [
  /connection to the api was lost/i,
  /unable to connect/i,
  /connectionrefused/i,
  /\bECONN(RESET|REFUSED|ABORTED)\b/,
  /\b(ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE)\b/,
  /request timed out/i,
  /socket hang up/i,
  /fetch failed/i,
];
const CLAUDE_SERVER = [/\bAPI Error: 5\d\d\b/i, /server-side issue/i, /\boverloaded\b/i];

function matchesAny(text: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(text));
}

/**
 * Classifies a codex `error` / `turn.failed` message. Explicit statuses win over the
 * generic "exceeded retry limit" wrapper, so "exceeded retry limit, last status: 500 …"
 * is a server error while "… 429 Too Many Requests" is quota.
 */
export function classifyCodexError(message: string): ErrorKind {
  if (matchesAny(message, CODEX_AUTH)) return 'auth';
  if (matchesAny(message, CODEX_QUOTA_STATUS) || matchesAny(message, CODEX_QUOTA_TEXT)) return 'quota';
  if (matchesAny(message, CODEX_SERVER)) return 'server';
  if (/exceeded retry limit/i.test(message)) return 'quota';
  if (matchesAny(message, CODEX_NETWORK)) return 'network';
  return 'other';
}

/**
 * Classifies a claude failure from its error code (`api_retry.error`, the synthetic
 * message's `error`), its text (synthetic message / result text) and HTTP status.
 * Network wins over `server_error`: claude labels a lost or refused connection
 * "server_error" while its text says ECONNRESET / ConnectionRefused / timed out.
 * An `unknown` code with an explicit null status means no HTTP answer came at all.
 */
export function classifyClaudeError(
  errorCode: string | undefined,
  text: string | undefined,
  httpStatus?: number | null,
): ErrorKind {
  const code = errorCode ?? '';
  const body = text ?? '';
  if (CLAUDE_AUTH_CODES.has(code) || httpStatus === 401 || httpStatus === 403) return 'auth';
  if (matchesAny(body, CLAUDE_AUTH)) return 'auth';
  if (CLAUDE_QUOTA_CODES.has(code) || httpStatus === 429 || matchesAny(body, CLAUDE_QUOTA)) return 'quota';
  if (matchesAny(body, CLAUDE_NETWORK)) return 'network';
  if (code === 'unknown' && httpStatus === null) return 'network';
  if (CLAUDE_SERVER_CODES.has(code) || isServerStatus(httpStatus) || matchesAny(body, CLAUDE_SERVER)) {
    return 'server';
  }
  return 'other';
}

function isServerStatus(status: number | null | undefined): boolean {
  return typeof status === 'number' && status >= 500 && status <= 599;
}

const DURATION_UNITS: readonly [RegExp, number][] = [
  [/^(days?|d)$/i, 86_400_000],
  [/^(hours?|hrs?|h)$/i, 3_600_000],
  [/^(minutes?|mins?|m)$/i, 60_000],
  [/^(seconds?|secs?|s)$/i, 1_000],
];

/**
 * Extracts when a usage limit resets, as an ISO string, from the two unambiguous forms:
 * claude "Claude AI usage limit reached|1764000000" (Unix seconds) and codex
 * "try again in 3 days 6 hours 57 minutes" (relative to `now`). Clock-only forms
 * ("try again at 3:28 PM", "resets 7:20am (Europe/Paris)", "Try again Aug 18.") need a
 * time zone or a year we do not have, so they give undefined.
 */
export function parseQuotaResetAt(text: string, now: Date): string | undefined {
  const epoch = /limit reached\|(\d{9,12})\b/i.exec(text);
  if (epoch?.[1] !== undefined) return toIso(Number(epoch[1]) * 1000);
  const relative = /try again in ((?:\d+\s*[a-z]+[\s,]*(?:and\s+)?)+)/i.exec(text);
  if (relative?.[1] === undefined) return undefined;
  const millis = sumDuration(relative[1]);
  return millis === undefined ? undefined : toIso(now.getTime() + millis);
}

function sumDuration(text: string): number | undefined {
  let total = 0;
  let found = false;
  for (const part of text.matchAll(/(\d+)\s*([a-z]+)/gi)) {
    const unit = unitMillis(part[2] ?? '');
    if (unit === undefined) continue;
    total += Number(part[1]) * unit;
    found = true;
  }
  return found ? total : undefined;
}

function unitMillis(word: string): number | undefined {
  return DURATION_UNITS.find(([pattern]) => pattern.test(word))?.[1];
}

function toIso(millis: number): string | undefined {
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
