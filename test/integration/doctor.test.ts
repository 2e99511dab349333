import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, testEnv } from '../helpers/run-cli.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'dispatch-doctor-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

interface Report {
  ready: boolean;
  checks: { name: string; status: string; detail: string; hint?: string; login?: unknown }[];
}

describe('dispatch doctor', () => {
  it('is ready (exit 0) with a CLI and a login, warns when the CLI is not the tested version, prints no secret', async () => {
    const env = testEnv(home);
    const result = await runCli(['doctor'], { env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok +git +\d+\.\d+/m);
    expect(result.stdout).toMatch(/^warn +codex cli +0\.0\.1-fake at .*fake-agent\.mjs \(tested: 0\.169\.0\) — codex CLI 0\.0\.1-fake differs/m);
    expect(result.stdout).toMatch(/^ok +codex auth +API key from OPENAI_API_KEY$/m);
    expect(result.stdout).toContain('ready: codex can run');
    expect(result.stdout).not.toContain(env.OPENAI_API_KEY);
  });

  it('fails (exit 3) with a fix hint when the asked-for executor has no login', async () => {
    const result = await runCli(['doctor', '--executor', 'codex'], { env: testEnv(home, { OPENAI_API_KEY: undefined }) });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^FAIL +codex auth +codex is not logged in — run `codex login` or set OPENAI_API_KEY$/m);
  });

  it('ignores an executor that is not asked for, and fails for one that is missing', async () => {
    const env = testEnv(home, { CLAUDE_BIN: join(home, 'missing-claude'), ANTHROPIC_API_KEY: undefined });
    const codexOnly = await runCli(['doctor', '--json'], { env });
    expect(codexOnly.exitCode).toBe(0);
    const report = JSON.parse(codexOnly.stdout) as Report;
    expect(report.ready).toBe(true);
    expect(report.checks.find((check) => check.name === 'claude cli')).toMatchObject({ status: 'fail', detail: 'not found' });

    const both = await runCli(['doctor', '--executor', 'both'], { env });
    expect(both.exitCode).toBe(3);
    expect(both.stdout).toContain('not ready for codex, claude');
  });
});

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

function writeUserFile(dir: string, file: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), JSON.stringify(value), { mode: 0o600 });
}

describe('dispatch doctor: logins', () => {
  const DAY = 86_400_000;

  it('a ChatGPT login: kind, when the access token expires, parallel runs safe; no token printed', async () => {
    const expires = new Date(Date.now() + 9 * DAY + 3_600_000);
    const access = fakeJwt({ exp: Math.floor(expires.getTime() / 1000) });
    const codexHome = join(home, 'user-home', '.codex');
    writeUserFile(codexHome, 'auth.json', { OPENAI_API_KEY: null, tokens: { id_token: fakeJwt({}), access_token: access, refresh_token: 'rt_doctor_secret' } });
    const env = testEnv(home, { OPENAI_API_KEY: undefined });
    const text = await runCli(['doctor'], { env });
    expect(text.exitCode).toBe(0);
    const day = expires.toISOString().slice(0, 16).replace('T', ' ');
    expect(text.stdout).toMatch(new RegExp(`^ok +codex auth +ChatGPT login from auth\\.json \\(codex login\\); access token expires ${day} UTC \\(in 9 days\\)$`, 'm'));
    expect(text.stdout).toMatch(/^ok +codex parallel +safe: runs link the user's auth\.json/m);
    const json = await runCli(['doctor', '--json'], { env });
    const auth = (JSON.parse(json.stdout) as Report).checks.find((check) => check.name === 'codex auth');
    expect(auth).toMatchObject({ status: 'ok', login: { kind: 'chatgpt-login', expires_at: new Date(Math.floor(expires.getTime() / 1000) * 1000).toISOString(), parallel_safe: true } });
    for (const output of [text.stdout, json.stdout]) {
      expect(output).not.toContain('rt_doctor_secret');
      expect(output).not.toContain(access.split('.')[1]);
    }
  });

  it('an expired ChatGPT login is still ready: the next run refreshes it (once)', async () => {
    const access = fakeJwt({ exp: Math.floor((Date.now() - 2 * 3_600_000) / 1000) });
    writeUserFile(join(home, 'user-home', '.codex'), 'auth.json', { tokens: { access_token: access, refresh_token: 'rt_x' } });
    const result = await runCli(['doctor'], { env: testEnv(home, { OPENAI_API_KEY: undefined }) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok +codex auth +ChatGPT login .*access token expired 2 hours ago; the next run refreshes it$/m);
  });

  it('a codex login kept in the OS keyring: not usable by runs, says how to fix', async () => {
    const codexHome = join(home, 'user-home', '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(join(codexHome, 'config.toml'), 'cli_auth_credentials_store = "keyring"\n');
    const result = await runCli(['doctor'], { env: testEnv(home, { OPENAI_API_KEY: undefined }) });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^FAIL +codex auth +codex's login is in the OS keyring — codex keys a keyring login by its CODEX_HOME.*cli_auth_credentials_store = "file"/m);

    // A ChatGPT login in auth.json, but codex may move it into the keyring on its next refresh.
    writeFileSync(join(codexHome, 'config.toml'), 'cli_auth_credentials_store = "auto"\n');
    writeUserFile(codexHome, 'auth.json', { tokens: { access_token: fakeJwt({ exp: Math.floor(Date.now() / 1000) + 3_600 }), refresh_token: 'rt_x' } });
    const auto = await runCli(['doctor'], { env: testEnv(home, { OPENAI_API_KEY: undefined }) });
    expect(auto.exitCode).toBe(0);
    expect(auto.stdout).toMatch(/^warn +codex parallel +not safe with this ChatGPT login — your own codex may move this login into the OS keyring.*cli_auth_credentials_store = "file"/m);
  });

  it('claude: setup-token, a /login with its expiry, an API key; each says whether parallel runs are safe', async () => {
    const setup = await runCli(['doctor', '-e', 'claude'], { env: testEnv(home, { ANTHROPIC_API_KEY: undefined, CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-doctor-secret' }) });
    expect(setup.exitCode).toBe(0);
    expect(setup.stdout).toMatch(/^ok +claude auth +setup-token from CLAUDE_CODE_OAUTH_TOKEN$/m);
    expect(setup.stdout).toMatch(/^ok +claude parallel +safe: long-lived, never refreshed/m);
    expect(setup.stdout).not.toContain('doctor-secret');

    const store = join(home, 'user-home', '.claude');
    writeUserFile(store, '.credentials.json', { claudeAiOauth: { accessToken: 'sk-ant-oat-doctor-secret', refreshToken: 'sk-ant-ort-doctor-secret', expiresAt: Date.now() + 6 * 3_600_000 + 60_000 } });
    const login = await runCli(['doctor', '-e', 'claude'], { env: testEnv(home, { ANTHROPIC_API_KEY: undefined }) });
    expect(login.exitCode).toBe(0);
    expect(login.stdout).toMatch(/^ok +claude auth +claude login from .*\.claude\/\.credentials\.json \(claude \/login\); access token expires .* UTC \(in 6 hours\)$/m);
    expect(login.stdout).toMatch(/^ok +claude parallel +safe: runs use this store and claude's own refresh lock.*claude setup-token/m);
    expect(login.stdout).not.toContain('doctor-secret');

    const key = await runCli(['doctor', '-e', 'claude'], { env: testEnv(home) });
    expect(key.stdout).toMatch(/^ok +claude auth +API key from ANTHROPIC_API_KEY$/m);
    expect(key.stdout).toMatch(/^ok +claude parallel +safe: API keys never expire/m);
  });
});
