import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { effectiveCodexSettings, readCodexConfig } from './codex-config.js';
import { isObject } from './json-fields.js';
import { readJwtExpiry } from './jwt-expiry.js';
import type { LoginInfo, LoginRefreshWatch } from './login-types.js';

/**
 * codex 0.169 refreshes a ChatGPT login when its access token expires within 5 minutes
 * (measured: 290 s left → refresh, 310 s left → none; `last_refresh` age plays no part).
 */
export const CODEX_REFRESH_WINDOW_MS = 5 * 60_000;
/** A run that starts this soon still counts as starting now (queueing, worktree set-up). */
const START_SLACK_MS = 60_000;

/** The parts of config.toml that decide which login codex uses. */
export interface CodexProvider {
  /** model_provider names a provider other than openai. */
  custom: boolean;
  /** `env_key = "VAR"`: the provider's key comes from this variable. */
  envKey: string | undefined;
  /** `requires_openai_auth = true`: the provider is sent the ChatGPT login's access token. */
  openaiAuth: boolean;
  /** `cli_auth_credentials_store`: file (default), keyring, auto or ephemeral. */
  store: string | undefined;
}

interface AuthDotJson {
  OPENAI_API_KEY?: unknown;
  tokens?: { access_token?: unknown; refresh_token?: unknown } | null;
}

/** Reads what config.toml (with its selected profile) says about providers and credential storage. */
export function readCodexProvider(configPath: string): CodexProvider {
  const settings = effectiveCodexSettings(readCodexConfig(configPath));
  const name = typeof settings.model_provider === 'string' ? settings.model_provider : undefined;
  const providers = isObject(settings.model_providers) ? settings.model_providers : {};
  const provider = name !== undefined && isObject(providers[name]) ? providers[name] : {};
  return {
    custom: name !== undefined && name !== 'openai',
    envKey: typeof provider.env_key === 'string' ? provider.env_key : undefined,
    openaiAuth: provider.requires_openai_auth === true,
    store: typeof settings.cli_auth_credentials_store === 'string' ? settings.cli_auth_credentials_store : undefined,
  };
}

function readAuthFile(path: string): AuthDotJson | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value) : undefined;
  } catch {
    return undefined;
  }
}

function accessTokenOf(auth: AuthDotJson | undefined): string | undefined {
  const token = auth?.tokens?.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The user's auth.json, as every run's CODEX_HOME links to it. */
export function codexAuthPath(userHome: string): string {
  return resolve(join(userHome, 'auth.json'));
}

const SHARED_NOTE =
  "runs link the user's auth.json, so all share one token chain; when the access token is due, one run refreshes it alone before the others start";

/** Which login codex will use from the user's home and environment. Prints nothing secret. */
export function describeCodexLogin(userHome: string, env: NodeJS.ProcessEnv): LoginInfo {
  const provider = readCodexProvider(join(userHome, 'config.toml'));
  if (provider.custom && !provider.openaiAuth) {
    const source = provider.envKey ? `custom model provider, key from ${provider.envKey}` : 'custom model provider in config.toml (no key needed)';
    return { kind: 'custom-provider', source, parallelSafe: true, note: 'no login to refresh' };
  }
  const path = codexAuthPath(userHome);
  const auth = existsSync(path) ? readAuthFile(path) : undefined;
  const access = accessTokenOf(auth);
  if (access) {
    const expiresAt = readJwtExpiry(access);
    if (provider.store === 'keyring' || provider.store === 'auto') {
      // Saving to the keyring deletes auth.json: the user's own codex could take the login away from runs.
      const note = `your own codex may move this login into the OS keyring (cli_auth_credentials_store = "${provider.store}"), where runs cannot see it: set cli_auth_credentials_store = "file" in config.toml`;
      return { kind: 'chatgpt-login', source: 'auth.json (codex login)', expiresAt, parallelSafe: false, note };
    }
    return { kind: 'chatgpt-login', source: 'auth.json (codex login)', expiresAt, parallelSafe: true, note: SHARED_NOTE };
  }
  if (typeof auth?.OPENAI_API_KEY === 'string' && auth.OPENAI_API_KEY !== '') {
    return { kind: 'api-key', source: 'auth.json (codex login --with-api-key)', parallelSafe: true, note: 'API keys never expire or rotate' };
  }
  for (const name of ['CODEX_API_KEY', 'OPENAI_API_KEY']) {
    if (env[name]) return { kind: 'api-key', source: `API key from ${name}`, parallelSafe: true, note: 'API keys never expire or rotate' };
  }
  if (provider.store === 'keyring' || provider.store === 'auto') {
    return {
      kind: 'keyring',
      source: `cli_auth_credentials_store = "${provider.store}" in config.toml`,
      parallelSafe: false,
      note: 'codex keys a keyring login by its CODEX_HOME, so runs cannot see it: set cli_auth_credentials_store = "file" and run `codex login` again, or set OPENAI_API_KEY',
    };
  }
  return { kind: 'none', source: 'not logged in', parallelSafe: false, note: 'run `codex login` or set OPENAI_API_KEY' };
}

function fingerprint(token: string | undefined): string {
  return createHash('sha256').update(token ?? '').digest('hex');
}

/**
 * Watches the user's ChatGPT login for a refresh. `due` when the access token expires
 * within codex's refresh window (plus start-up slack): the next codex to start refreshes it.
 */
export function watchCodexRefresh(userHome: string, now: Date): LoginRefreshWatch | undefined {
  const provider = readCodexProvider(join(userHome, 'config.toml'));
  if (provider.custom && !provider.openaiAuth) return undefined; // The ChatGPT login is not used.
  const path = codexAuthPath(userHome);
  const access = accessTokenOf(readAuthFile(path));
  if (!access) return undefined;
  const expiresAt = readJwtExpiry(access);
  const due = expiresAt !== undefined && expiresAt.getTime() - now.getTime() < CODEX_REFRESH_WINDOW_MS + START_SLACK_MS;
  const before = fingerprint(access);
  return {
    key: `codex:${path}`,
    due,
    refreshed: () => fingerprint(accessTokenOf(readAuthFile(path))) !== before,
    lockPath: `${path}.dispatch-refresh.lock`,
  };
}
