import { getExecutor } from '../executors/registry.js';
import type { LoginInfo, LoginKind } from '../executors/login-types.js';
import type { ExecutorName } from '../executors/types.js';
import type { Check } from './checks.js';

const KIND_LABEL: Record<LoginKind, string> = {
  'api-key': 'API key',
  'chatgpt-login': 'ChatGPT login',
  'setup-token': 'setup-token',
  'claude-login': 'claude login',
  cloud: 'cloud provider',
  'custom-provider': 'custom model provider',
  keyring: 'keyring login',
  none: 'no login',
};

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function roughDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  return hours < 48 ? plural(hours, 'hour') : plural(Math.round(hours / 24), 'day');
}

/** "expires 2026-12-11 14:03 UTC (in 9 days)" or "expired 2 hours ago". Pure. */
export function describeExpiry(expiresAt: Date, now: Date): string {
  const left = expiresAt.getTime() - now.getTime();
  if (left <= 0) return `expired ${roughDuration(-left)} ago`;
  const when = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `expires ${when} (in ${roughDuration(left)})`;
}

/** What `dispatch doctor --json` adds to a login check. */
export interface LoginReport {
  kind: LoginKind;
  expires_at: string | null;
  parallel_safe: boolean;
}

function authDetail(login: LoginInfo, now: Date): string {
  if (!login.expiresAt) return login.source;
  const expiry = describeExpiry(login.expiresAt, now);
  const refresh = login.expiresAt.getTime() <= now.getTime() ? '; the next run refreshes it' : '';
  return `${KIND_LABEL[login.kind]} from ${login.source}; access token ${expiry}${refresh}`;
}

/**
 * Two lines per agent: its login (kind, where from, when the access token expires; the
 * token itself is never printed) and whether parallel and nightly runs are safe with it.
 */
export function checkLogin(name: ExecutorName, env: NodeJS.ProcessEnv, now: Date): Check[] {
  const executor = getExecutor(name);
  const login = executor.describeLogin(env);
  const auth = executor.checkAuth(executor.userHome(env), env);
  const report: LoginReport = { kind: login.kind, expires_at: login.expiresAt?.toISOString() ?? null, parallel_safe: login.parallelSafe };
  const authCheck: Check = auth.ok
    ? { name: `${name} auth`, status: 'ok', detail: authDetail(login, now), executor: name, login: report }
    : {
        name: `${name} auth`,
        status: 'fail',
        detail: auth.detail.split(':')[0] ?? auth.detail,
        hint: auth.detail.split(': ').slice(1).join(': '),
        executor: name,
        login: report,
      };
  if (!auth.ok) return [authCheck];
  const parallel: Check = login.parallelSafe
    ? { name: `${name} parallel`, status: 'ok', detail: `safe: ${login.note}`, executor: name }
    : { name: `${name} parallel`, status: 'warn', detail: `not safe with this ${KIND_LABEL[login.kind]}`, hint: login.note, executor: name };
  return [authCheck, parallel];
}
