import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { missingPinnedClis, realAgentEnv } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { filesHoldingSecrets } from '../helpers/logins.js';
import { runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

// claude 2.1.197 cannot be pointed at a local OAuth endpoint (CLAUDE_CODE_CUSTOM_OAUTH_URL
// takes approved URLs only), so its refresh is not exercised here: these tests show that a
// run uses the user's own login store (and so claude's own refresh lock) and keeps no copy.
let server: ModelServer;
let home: string;
let repo: string;

beforeAll(async () => {
  server = await startModelServer({ oauth: true });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-claude-login-')));
afterEach(() => cleanRunHome(home));

function oauth() {
  if (!server.oauth) throw new Error('the scripted server has no OAuth service');
  return server.oauth;
}

async function claudeEnv(extra: Record<string, string>): Promise<Record<string, string>> {
  const env: Record<string, string> = { ...(await realAgentEnv(home, server.url)), ...extra };
  delete env.ANTHROPIC_API_KEY;
  return env;
}

async function dispatchClaude(env: Record<string, string>, args: string[] = []) {
  const result = await runCli(['--json', '--executor', 'claude', ...args, repo, 'Create hello.txt'], { env, timeoutMs: 180_000 });
  return { ...result, record: JSON.parse(result.stdout) as GroupRecord };
}

describe.skipIf(skipE2eSuite('claude login e2e tests', missingPinnedClis))('claude logins in parallel runs', () => {
  it('setup-token (CLAUDE_CODE_OAUTH_TOKEN): runs succeed on it, no run holds it', async () => {
    const token = oauth().setupToken();
    const env = await claudeEnv({ CLAUDE_CODE_OAUTH_TOKEN: token });
    const rejectedBefore = oauth().stats.rejectedAccess;
    const run = await dispatchClaude(env, ['-n', '2']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.record.members.map((member) => member.outcome)).toEqual(['success', 'success']);
    expect(oauth().stats.rejectedAccess).toBe(rejectedBefore);
    for (const member of run.record.members) {
      const dir = member.run_dir ?? '';
      expect(existsSync(join(dir, 'agent-home', '.credentials.json'))).toBe(false);
      expect(filesHoldingSecrets(dir, [token])).toEqual([]);
    }
  }, 240_000);

  it("a claude /login: runs use the user's own credentials file, never a copy, and leave it as it was", async () => {
    const store = join(home, 'claude-config');
    mkdirSync(store, { recursive: true });
    const accessToken = oauth().setupToken();
    const credentials = {
      claudeAiOauth: {
        accessToken,
        refreshToken: 'sk-ant-ort01-outpost-never-used',
        expiresAt: Date.now() + 8 * 3_600_000,
        scopes: ['user:inference', 'user:profile'],
        subscriptionType: 'max',
      },
    };
    const file = join(store, '.credentials.json');
    writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
    const env = await claudeEnv({});
    const rejectedBefore = oauth().stats.rejectedAccess;
    const run = await dispatchClaude(env, ['-n', '2']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.record.members.map((member) => member.outcome)).toEqual(['success', 'success']);
    // The server accepted only this token: the runs' requests carried the user's login.
    expect(oauth().stats.rejectedAccess).toBe(rejectedBefore);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(credentials);
    for (const member of run.record.members) {
      const dir = member.run_dir ?? '';
      expect(existsSync(join(dir, 'agent-home', '.credentials.json'))).toBe(false);
      expect(filesHoldingSecrets(dir, [accessToken, credentials.claudeAiOauth.refreshToken])).toEqual([]);
    }
  }, 240_000);

  it("a refresh done by another claude meanwhile reaches the run through the user's store", async () => {
    // The run starts on token A; the API refuses A, and at that moment another claude has
    // refreshed the login: the user's file now holds B. The run re-reads the shared store
    // (claude 2.1.197's 401 recovery) and goes on with B, without a refresh of its own.
    const store = join(home, 'claude-config');
    mkdirSync(store, { recursive: true });
    const file = join(store, '.credentials.json');
    const stored = (accessToken: string, refreshToken: string) => ({
      claudeAiOauth: { accessToken, refreshToken, expiresAt: Date.now() + 8 * 3_600_000, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max' },
    });
    let refreshedElsewhere: string | undefined;
    const local = await startModelServer({
      oauth: {
        onAccessRefused: () => {
          if (refreshedElsewhere) return;
          refreshedElsewhere = local.oauth?.setupToken() ?? '';
          writeFileSync(file, JSON.stringify(stored(refreshedElsewhere, 'sk-ant-ort01-outpost-second')), { mode: 0o600 });
        },
      },
    });
    try {
      const first = local.oauth?.expiredAccessToken() ?? '';
      writeFileSync(file, JSON.stringify(stored(first, 'sk-ant-ort01-outpost-first')), { mode: 0o600 });
      // claude retries after its 401 recovery; with CLAUDE_CODE_MAX_RETRIES=0 it would not.
      const env: Record<string, string> = { ...(await realAgentEnv(home, local.url, { retries: 2 })) };
      delete env.ANTHROPIC_API_KEY;
      const result = await runCli(['--json', '--executor', 'claude', repo, 'Create hello.txt'], { env, timeoutMs: 120_000 });
      const summary = JSON.parse(result.stdout) as { outcome: string; run_dir?: string };
      expect(summary.outcome, result.stdout).toBe('success');
      expect(refreshedElsewhere).toBeDefined();
      expect(local.oauth?.stats.rejectedAccess).toBe(1);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ claudeAiOauth: { accessToken: refreshedElsewhere } });
    } finally {
      await local.close();
    }
  }, 180_000);
});
