import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome, createSampleRepo } from '../helpers/sample-repo.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-input-')));
afterEach(() => cleanRunHome(home));

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('bad input: one clear line, documented exit code, no run created', () => {
  it.each([
    ['../x'],
    ['-oProxyCommand=touch /tmp/pwned'],
    ['ext::sh -c touch% /tmp/pwned'],
    ['fd::17'],
    ['a/../../b'],
    ['bad\u0007name'],
    ['/definitely/not/a/repo'],
    ['justaname'],
  ])('repo %j → exit 2', async (arg) => {
    const result = await runCli(['--', arg, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expectOneLineError(result.stderr, /^error: /);
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it.each([
    [['--sandbox', 'yolo'], /sandbox/],
    [['--timeout', 'soon'], /--timeout/],
    [['--executor', 'gemini'], /unknown executor 'gemini'/],
    [['--label', 'novalue'], /--label/],
    [['--bogus-flag'], /unknown option/],
  ])('%j → exit 2', async (flags, pattern) => {
    const result = await runCli([...flags, repo, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('an empty task is a usage error', async () => {
    const result = await runCli([repo, '-'], { env: testEnv(home), input: '  \n' });
    expect(result.exitCode).toBe(2);
    expectOneLineError(result.stderr, /^error: no task given/);
  });

  it('a missing CLI is exit 3 and says how to fix it', async () => {
    const result = await runCli([repo, 'task'], { env: testEnv(home, { CODEX_BIN: join(home, 'no-such-codex') }) });
    expect(result.exitCode).toBe(3);
    expectOneLineError(result.stderr, /^error: CODEX_BIN=.* is not an executable file — /);
  });

  it('an unreachable remote is an infra run (exit 3) and its credentials reach no file', async () => {
    const url = 'https://alice:s3cr3t-token@127.0.0.1:9/acme/app.git';
    const result = await runCli(['--quiet', url, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(3);
    expect(result.stderr + result.stdout).not.toContain('s3cr3t-token');
    const dir = result.stdout.trim();
    const summary = readJson<{ outcome: string; repo_url: string }>(join(dir, 'summary.json'));
    expect(summary.outcome).toBe('infra');
    expect(summary.repo_url).toBe('https://127.0.0.1:9/acme/app.git');
    for (const root of [join(home, 'runs'), join(home, 'repos')]) {
      for (const file of readdirSync(root, { recursive: true, withFileTypes: true })) {
        if (!file.isFile()) continue;
        expect(readFileSync(join(file.parentPath, file.name), 'utf8'), file.name).not.toContain('s3cr3t-token');
      }
    }
  });

  it('resolves a bare name with DISPATCH_REMOTE_BASE', async () => {
    await createSampleRepo(join(home, 'remotes', 'named.git'));
    const base = `file://${home}/remotes/`;
    const result = await runCli(['--quiet', 'named', 'task'], { env: testEnv(home, { DISPATCH_REMOTE_BASE: base }), cwd: '/' });
    expect(result.exitCode).toBe(0);
    const summary = readJson<{ repo_url: string }>(join(result.stdout.trim(), 'summary.json'));
    expect(summary.repo_url).toBe(`file://${home}/remotes/named.git`);
  });
});
