import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LoginInfo } from './login-types.js';

/** Environment variables that give claude its credentials, in claude's order of preference. */
export const CLAUDE_AUTH_ENV = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
] as const;

const CREDENTIALS_FILE = '.credentials.json';

/**
 * Where claude 2.1.197 keeps a `/login` and its refresh lock (`.oauth_refresh.lock`):
 * CLAUDE_SECURESTORAGE_CONFIG_DIR if set, else the config dir (~/.claude).
 */
export function claudeStoreDir(env: NodeJS.ProcessEnv): string {
  const home = join(env.HOME ?? homedir(), '.claude');
  const secure = env.CLAUDE_SECURESTORAGE_CONFIG_DIR;
  return secure !== undefined ? secure || home : env.CLAUDE_CONFIG_DIR || home;
}

/**
 * The CLAUDE_SECURESTORAGE_CONFIG_DIR a run gets so that its claude reads, refreshes and
 * writes the user's own login under claude's own lock. Empty means ~/.claude and the same
 * keychain entry the user's claude uses when CLAUDE_CONFIG_DIR is not set (2.1.197's rule).
 */
export function sharedStoreValue(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_SECURESTORAGE_CONFIG_DIR ?? env.CLAUDE_CONFIG_DIR ?? '';
}

/** The first claude credential variable that is set, if any. */
export function claudeEnvCredential(env: NodeJS.ProcessEnv): (typeof CLAUDE_AUTH_ENV)[number] | undefined {
  return CLAUDE_AUTH_ENV.find((name) => Boolean(env[name]));
}

interface StoredOauth {
  accessToken?: unknown;
  expiresAt?: unknown;
}

function readStoredOauth(path: string): StoredOauth | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as { claudeAiOauth?: StoredOauth };
    return typeof value.claudeAiOauth === 'object' && value.claudeAiOauth !== null ? value.claudeAiOauth : undefined;
  } catch {
    return undefined;
  }
}

function hasApiKeyHelper(settingsPath: string): boolean {
  try {
    return existsSync(settingsPath) && /"apiKeyHelper"\s*:/.test(readFileSync(settingsPath, 'utf8'));
  } catch {
    return false;
  }
}

const SETUP_TOKEN_HINT = 'for unattended runs `claude setup-token` and CLAUDE_CODE_OAUTH_TOKEN are best (no refresh at all)';

function describeEnvLogin(name: (typeof CLAUDE_AUTH_ENV)[number]): LoginInfo {
  switch (name) {
    case 'CLAUDE_CODE_OAUTH_TOKEN':
      return { kind: 'setup-token', source: 'setup-token from CLAUDE_CODE_OAUTH_TOKEN', parallelSafe: true, note: 'long-lived, never refreshed: nothing can fork' };
    case 'CLAUDE_CODE_USE_BEDROCK':
    case 'CLAUDE_CODE_USE_VERTEX':
      return { kind: 'cloud', source: `cloud credentials (${name})`, parallelSafe: true, note: "the cloud provider's own credentials" };
    default:
      return { kind: 'api-key', source: `API key from ${name}`, parallelSafe: true, note: 'API keys never expire or rotate' };
  }
}

/** Which login claude will use in a run, judged from the environment and the user's store. */
export function describeClaudeLogin(env: NodeJS.ProcessEnv, configDir: string): LoginInfo {
  const fromEnv = claudeEnvCredential(env);
  if (fromEnv) return describeEnvLogin(fromEnv);
  const store = claudeStoreDir(env);
  const oauth = readStoredOauth(join(store, CREDENTIALS_FILE));
  if (typeof oauth?.accessToken === 'string' && oauth.accessToken !== '') {
    const expiresAt = typeof oauth.expiresAt === 'number' ? new Date(oauth.expiresAt) : undefined;
    return {
      kind: 'claude-login',
      source: `${join(store, CREDENTIALS_FILE)} (claude /login)`,
      expiresAt,
      parallelSafe: true,
      note: `runs use this store and claude's own refresh lock, so one claude refreshes and the rest re-read; ${SETUP_TOKEN_HINT}`,
    };
  }
  if (hasApiKeyHelper(join(configDir, 'settings.json'))) {
    return { kind: 'api-key', source: 'apiKeyHelper in settings.json', parallelSafe: true, note: 'the helper is asked for a key' };
  }
  if (process.platform === 'darwin') {
    return {
      kind: 'keyring',
      source: 'the macOS keychain (not inspected)',
      parallelSafe: true,
      note: `runs read the same keychain entry as your claude (not verified on macOS); ${SETUP_TOKEN_HINT}`,
    };
  }
  return { kind: 'none', source: 'not logged in', parallelSafe: false, note: 'run `claude` and /login, or `claude setup-token` and set CLAUDE_CODE_OAUTH_TOKEN' };
}
