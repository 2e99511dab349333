import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-steps-')));
afterEach(() => cleanRunHome(home));

interface StepSummary {
  outcome: string;
  check: { command: string; exit_code: number | null; passed: boolean; duration_ms: number } | null;
  error: { kind: string; message: string } | null;
}

async function dispatch(args: string[], cwd?: string) {
  const result = await runCli(['--quiet', ...args], { env: testEnv(home), ...(cwd ? { cwd } : {}) });
  const dir = result.stdout.trim();
  return { exitCode: result.exitCode, dir, summary: readJson<StepSummary>(join(dir, 'summary.json')) };
}

describe('--check', () => {
  it('passes: outcome success, the check recorded, its output in check.log, its files not in the diff', async () => {
    const run = await dispatch(['--check', 'test -f hello.txt && echo checked > check-artifact.txt && echo all good', repo, 'task']);
    expect(run.exitCode).toBe(0);
    expect(run.summary.outcome).toBe('success');
    expect(run.summary.check).toMatchObject({ exit_code: 0, passed: true });
    expect(readFileSync(join(run.dir, 'check.log'), 'utf8')).toContain('all good');
    expect(readFileSync(join(run.dir, 'diff.patch'), 'utf8')).not.toContain('check-artifact');
    expect(readEvents(join(run.dir, 'events.jsonl')).some((event) => event.type === 'check.finished' && event.passed === true)).toBe(true);
  });

  it('fails: outcome check_failed, exit 5', async () => {
    const run = await dispatch(['--check', 'echo nope; exit 3', repo, 'task']);
    expect(run.exitCode).toBe(5);
    expect(run.summary).toMatchObject({ outcome: 'check_failed', check: { exit_code: 3, passed: false }, error: { kind: 'check_failed' } });
  });

  it('times out: the check process group is killed, outcome check_failed', async () => {
    const run = await dispatch(['--check', 'sleep 60 & sleep 60', '--check-timeout', '1s', '--kill-grace', '200ms', repo, 'task']);
    expect(run.exitCode).toBe(5);
    expect(run.summary.check).toMatchObject({ exit_code: null, passed: false });
  });

  it('is skipped when the agent failed', async () => {
    const run = await dispatch(['--check', 'true', repo, '[scenario:fail]']);
    expect(run.summary.outcome).toBe('agent_error');
    expect(run.summary.check).toBeNull();
  });
});

describe('--setup and --copy', () => {
  it('copies files into the worktree and runs setup before the agent', async () => {
    writeFileSync(join(home, '.env'), 'SECRET_SETTING=1\n');
    const record = join(home, 'setup-saw.txt');
    const run = await dispatch(['--copy', '.env', '--setup', `cat .env > ${record}`, repo, 'task'], home);
    expect(run.summary.outcome).toBe('success');
    expect(readFileSync(join(run.dir, 'workspace', '.env'), 'utf8')).toBe('SECRET_SETTING=1\n');
    expect(readFileSync(record, 'utf8')).toBe('SECRET_SETTING=1\n');
    expect(existsSync(join(run.dir, 'setup.log'))).toBe(true);
  });

  it('a failing setup stops the run before the agent (infra, exit 3)', async () => {
    const run = await dispatch(['--setup', 'exit 9', repo, 'task']);
    expect(run.exitCode).toBe(3);
    expect(run.summary).toMatchObject({ outcome: 'infra', error: { kind: 'setup' } });
    expect(readEvents(join(run.dir, 'events.jsonl')).some((event) => event.type === 'session.started')).toBe(false);
  });

  it('a missing --copy path is a usage error', async () => {
    const result = await runCli(['--copy', 'nope.env', repo, 'task'], { env: testEnv(home), cwd: home });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: --copy nope.env: no such file or folder/);
  });
});
