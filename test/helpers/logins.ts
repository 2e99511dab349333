import { readdirSync, readFileSync, lstatSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { codexConfigToml, type LoginTokens, type ModelServer } from '../../src/model-server/index.js';
import { realAgentEnv } from './e2e-env.js';

/** The user's codex home of a login test: config.toml for the scripted server, auth.json of a ChatGPT login. */
export function userCodexHome(home: string): string {
  return join(home, 'user-codex');
}

/** Writes auth.json as `codex login` does (mode 0600). */
export async function writeCodexLogin(codexHome: string, tokens: LoginTokens): Promise<void> {
  const auth = { auth_mode: 'chatgpt', OPENAI_API_KEY: null, tokens, last_refresh: new Date().toISOString() };
  await writeFile(join(codexHome, 'auth.json'), `${JSON.stringify(auth, null, 2)}\n`, { mode: 0o600 });
}

/** The tokens in the user's auth.json now. */
export function readCodexLogin(codexHome: string): LoginTokens {
  return (JSON.parse(readFileSync(join(codexHome, 'auth.json'), 'utf8')) as { tokens: LoginTokens }).tokens;
}

/**
 * The environment of a dispatch whose codex has a ChatGPT login on the scripted server's
 * OAuth service: no API key, `requires_openai_auth`, the token URL pointed at the server.
 */
export async function chatgptLoginEnv(home: string, server: ModelServer): Promise<Record<string, string>> {
  const env = await realAgentEnv(home, server.url);
  const codexHome = userCodexHome(home);
  await mkdir(codexHome, { recursive: true });
  await writeFile(join(codexHome, 'config.toml'), codexConfigToml(server.url, { chatgptLogin: true }));
  return { ...env, CODEX_HOME: codexHome, CODEX_REFRESH_TOKEN_URL_OVERRIDE: `${server.url}/oauth/token` };
}

/** Every regular file under `dir` (symbolic links are not followed), for secret scans. */
export function listRegularFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stats = lstatSync(path);
    if (stats.isDirectory()) out.push(...listRegularFiles(path));
    else if (stats.isFile()) out.push(path);
  }
  return out;
}

/** Files under `dir` that contain any of the secrets. */
export function filesHoldingSecrets(dir: string, secrets: string[]): string[] {
  return listRegularFiles(dir).filter((path) => {
    const text = readFileSync(path, 'latin1');
    return secrets.some((secret) => text.includes(secret));
  });
}
