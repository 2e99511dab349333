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
  checks: { name: string; status: string; detail: string; hint?: string }[];
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
