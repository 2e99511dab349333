import { execa } from 'execa';
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { missingPinnedClis } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { chatgptLoginEnv, filesHoldingSecrets, readCodexLogin, userCodexHome, writeCodexLogin } from '../helpers/logins.js';
import { projectRoot, readJson, runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome, createSampleRepo } from '../helpers/sample-repo.js';

// The real pinned codex 0.169 with a ChatGPT login whose tokens come from the scripted
// server's OAuth service: refresh tokens are single-use, reuse is refused like the real one.
let server: ModelServer;
let home: string;
let repo: string;

beforeAll(async () => {
  server = await startModelServer({ oauth: { accessTokenTtlSec: 3_600 } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-login-')));
afterEach(() => cleanRunHome(home));

function oauth() {
  if (!server.oauth) throw new Error('the scripted server has no OAuth service');
  return server.oauth;
}

async function dispatchGroup(env: Record<string, string>, args: string[], target = repo) {
  const result = await runCli(['--json', '--executor', 'codex', ...args, target, 'Create hello.txt'], { env, timeoutMs: 180_000 });
  const record = JSON.parse(result.stdout) as GroupRecord;
  return { ...result, record };
}

/** The user's own `codex exec`, outside dispatch, with the user's CODEX_HOME. */
async function rawCodex(env: Record<string, string>) {
  return execa(join(projectRoot, 'node_modules', '.bin', 'codex'), ['exec', '--json', '--skip-git-repo-check', '-s', 'read-only', '-C', repo, '-'], {
    env,
    extendEnv: false,
    input: '[scenario:noop] anything to do?',
    reject: false,
    timeout: 60_000,
  });
}

describe.skipIf(skipE2eSuite('codex login e2e tests', missingPinnedClis))('codex ChatGPT logins shared by parallel and nightly runs', () => {
  it('an expired login and -n 4: 4 successes, exactly 1 refresh, the user keeps the newest chain', async () => {
    const env = await chatgptLoginEnv(home, server);
    const codexHome = userCodexHome(home);
    const login = oauth().login(-60);
    await writeCodexLogin(codexHome, login);
    const before = { ...oauth().stats };

    const run = await dispatchGroup(env, ['-n', '4']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.record.members.map((member) => member.outcome)).toEqual(['success', 'success', 'success', 'success']);
    expect(oauth().stats.refreshes - before.refreshes).toBe(1);
    expect(oauth().stats.reused - before.reused).toBe(0);
    const newest = readCodexLogin(codexHome);
    expect(newest.refresh_token).toBe(oauth().latest()?.refresh_token);
    expect(newest.refresh_token).not.toBe(login.refresh_token);

    // Each run's CODEX_HOME links the user's file; no run file holds a token.
    for (const member of run.record.members) {
      const link = join(member.run_dir ?? '', 'agent-home', 'auth.json');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(join(codexHome, 'auth.json'));
      expect(filesHoldingSecrets(member.run_dir ?? '', [login.refresh_token, newest.refresh_token, newest.access_token])).toEqual([]);
    }

    // The user's own codex still works, on the chain the runs left, without another refresh.
    const raw = await rawCodex(env);
    expect(raw.exitCode, raw.stderr).toBe(0);
    expect(raw.stdout).toContain('"turn.completed"');
    expect(oauth().stats.refreshes - before.refreshes).toBe(1);
  }, 240_000);

  it('two dispatch processes at once on an expired login: 4 successes, still exactly 1 refresh', async () => {
    const env = await chatgptLoginEnv(home, server);
    const codexHome = userCodexHome(home);
    await writeCodexLogin(codexHome, oauth().login(-60));
    // Two repositories, so that neither dispatch waits for the other's fetch: their agents start together.
    const otherRepo = await createSampleRepo(join(home, 'other-repo'));
    const before = { ...oauth().stats };
    const runs = await Promise.all([dispatchGroup(env, ['-n', '2']), dispatchGroup(env, ['-n', '2'], otherRepo)]);
    for (const run of runs) {
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.record.members.map((member) => member.outcome)).toEqual(['success', 'success']);
    }
    expect(oauth().stats.refreshes - before.refreshes).toBe(1);
    expect(oauth().stats.reused - before.reused).toBe(0);
    expect(readCodexLogin(codexHome).refresh_token).toBe(oauth().latest()?.refresh_token);
  }, 240_000);

  it('three nights in a row, each after the access token expired: one refresh a night, every run succeeds', async () => {
    const env = await chatgptLoginEnv(home, server);
    const codexHome = userCodexHome(home);
    await writeCodexLogin(codexHome, oauth().login(3_600));
    for (let night = 1; night <= 3; night += 1) {
      // A night later the access token in the user's file has expired; the chain is the same.
      await writeCodexLogin(codexHome, oauth().aged(readCodexLogin(codexHome)));
      const before = { ...oauth().stats };
      const run = await dispatchGroup(env, ['-n', '2']);
      expect(run.exitCode, `night ${night}: ${run.stderr}`).toBe(0);
      expect(run.record.members.map((member) => member.outcome)).toEqual(['success', 'success']);
      expect(oauth().stats.refreshes - before.refreshes, `night ${night}`).toBe(1);
      expect(oauth().stats.reused - before.reused, `night ${night}`).toBe(0);
      expect(readCodexLogin(codexHome).refresh_token).toBe(oauth().latest()?.refresh_token);
    }
    const raw = await rawCodex(env);
    expect(raw.exitCode, raw.stderr).toBe(0);
  }, 300_000);

  it('a revoked login: outcome auth, exit 6, one line that says to run `codex login`', async () => {
    const env = await chatgptLoginEnv(home, server);
    await writeCodexLogin(userCodexHome(home), oauth().login(-60));
    oauth().revokeAll();
    const result = await runCli(['--executor', 'codex', repo, 'Create hello.txt'], { env, timeoutMs: 120_000 });
    expect(result.exitCode).toBe(6);
    const dir = /^run: (\S+)$/m.exec(result.stdout)?.[1];
    expect(dir, result.stdout).toBeDefined();
    const summary = readJson<{ outcome: string; error: { kind: string; message: string } }>(join(dir ?? '', 'summary.json'));
    expect(summary.outcome).toBe('auth');
    expect(summary.error.message).toMatch(/refresh token was revoked/);
    const authLines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.includes('codex login'));
    expect(authLines).toHaveLength(1);
  }, 180_000);
});
