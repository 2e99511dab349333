import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';

// What a run's agent home holds of the user's login, with the fake agent and real files.
let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-logins-')));
afterEach(() => cleanRunHome(home));

interface Call {
  codexHome?: string;
  claudeDir?: string;
  claudeStore?: string;
}

function lastCall(record: string): Call {
  return JSON.parse(readFileSync(record, 'utf8').trim().split('\n').at(-1) ?? '{}') as Call;
}

async function dispatch(args: string[], env: Record<string, string | undefined>) {
  const result = await runCli(['--quiet', ...args], { env: testEnv(home, env) });
  return { ...result, dir: result.stdout.trim() };
}

describe('logins in run homes', () => {
  it('codex: the run links the user auth.json; a resumed run made by an older dispatch drops its copy for the link', async () => {
    const userCodex = join(home, 'user-home', '.codex');
    mkdirSync(userCodex, { recursive: true });
    writeFileSync(join(userCodex, 'auth.json'), '{"OPENAI_API_KEY":"sk-user-key-in-auth-json"}', { mode: 0o600 });
    const record = join(home, 'record.jsonl');
    const env = { OPENAI_API_KEY: undefined, FAKE_AGENT_RECORD: record };
    const parent = await dispatch(['--executor', 'codex', repo, 'task'], env);
    expect(parent.exitCode, parent.stderr).toBe(0);
    const link = join(parent.dir, 'agent-home', 'auth.json');
    expect(readlinkSync(link)).toBe(join(userCodex, 'auth.json'));

    // An older dispatch left a copy of the login here.
    rmSync(link);
    writeFileSync(link, '{"OPENAI_API_KEY":"sk-stale-copy"}');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    const id = readJson<{ run_id: string }>(join(parent.dir, 'summary.json')).run_id;
    const resumed = await runCli(['resume', '--quiet', id, '[scenario:followup] go on'], { env: testEnv(home, env) });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(lastCall(record).codexHome).toBe(join(parent.dir, 'agent-home'));
    expect(readlinkSync(link)).toBe(join(userCodex, 'auth.json'));
    expect(readFileSync(join(userCodex, 'auth.json'), 'utf8')).toContain('sk-user-key-in-auth-json');
  });

  it("claude: a /login stays in the user's store, which runs are pointed at; no copy in the run, an old copy removed on resume", async () => {
    const store = join(home, 'user-home', '.claude');
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, '.credentials.json'), JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat-user', refreshToken: 'sk-ant-ort-user', expiresAt: Date.now() + 3_600_000 } }), { mode: 0o600 });
    const record = join(home, 'record.jsonl');
    const env = { ANTHROPIC_API_KEY: undefined, FAKE_AGENT_RECORD: record };
    const parent = await dispatch(['--executor', 'claude', repo, 'task'], env);
    expect(parent.exitCode, parent.stderr).toBe(0);
    const call = lastCall(record);
    expect(call.claudeDir).toBe(join(parent.dir, 'agent-home'));
    // No CLAUDE_CONFIG_DIR in the user's environment: empty means ~/.claude (and its keychain entry) to claude 2.1.197.
    expect(call.claudeStore).toBe('');
    const copy = join(parent.dir, 'agent-home', '.credentials.json');
    expect(existsSync(copy)).toBe(false);

    writeFileSync(copy, '{"claudeAiOauth":{"accessToken":"stale"}}');
    const id = readJson<{ run_id: string }>(join(parent.dir, 'summary.json')).run_id;
    const resumed = await runCli(['resume', '--quiet', id, '[scenario:followup] go on'], { env: testEnv(home, env) });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(existsSync(copy)).toBe(false);

    // With a credential in the environment the run does not touch the user's store at all.
    await dispatch(['--executor', 'claude', repo, 'task'], { ...env, CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-setup' });
    expect(lastCall(record).claudeStore).toBeUndefined();
  });
});
