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
const CODEX_RATE_LIMIT = [/status:?\s*429\b/i, /too many requests/i, /rate limit/i];
// codex 0.169: "You’ve hit your usage limit. … try again at 3:15 PM." (a 429 whose body says
// usage_limit_reached), "Usage limit reached…", "Quota exceeded. Check your plan…".
const USAGE_LIMIT_TEXT = [
  /(hit|reached) your (\w+ )?(usage |session |weekly )?limit/i,
  /usage limit (reached|has been reached)/i,
  /insufficient_quota/i,
  /quota exceeded/i,
  /credit balance is too low/i,
  /out of (usage )?credits/i,
];
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
const CLAUDE_RATE_LIMIT_CODES = new Set(['rate_limit', 'rate_limit_error']);
const CLAUDE_USAGE_LIMIT_CODES = new Set(['billing_error']);
const CLAUDE_SERVER_CODES = new Set(['server_error', 'overloaded', 'overloaded_error', 'api_error']);
const CLAUDE_AUTH = [/not logged in/i, /invalid api key/i, /oauth token has expired/i, /please run \/login/i];
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
 * Classifies a codex `error` / `turn.failed` message. A usage limit (the plan's window is
 * used up) is told apart from a rate limit (a 429 that codex retried and gave up on).
 * Explicit statuses win over the generic "exceeded retry limit" wrapper, so "exceeded retry
 * limit, last status: 500 …" is a server error while "… 429 Too Many Requests" is a rate limit.
 */
export function classifyCodexError(message: string): ErrorKind {
  if (matchesAny(message, CODEX_AUTH)) return 'auth';
  if (matchesAny(message, USAGE_LIMIT_TEXT)) return 'usage_limit';
  if (matchesAny(message, CODEX_RATE_LIMIT)) return 'rate_limit';
  if (matchesAny(message, CODEX_SERVER)) return 'server';
  if (/exceeded retry limit/i.test(message)) return 'rate_limit';
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
  if (CLAUDE_USAGE_LIMIT_CODES.has(code) || matchesAny(body, USAGE_LIMIT_TEXT)) return 'usage_limit';
  if (CLAUDE_RATE_LIMIT_CODES.has(code) || httpStatus === 429 || /rate limit/i.test(body)) return 'rate_limit';
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
