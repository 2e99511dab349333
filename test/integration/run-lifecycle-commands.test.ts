import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { dispatchBin, processesUnder, readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-life-')));
afterEach(() => cleanRunHome(home));

interface Summary {
  run_id: string;
  status: string;
  outcome: string;
  session_id: string;
  parent_run_id: string | null;
  workspace: string | null;
  error: { kind: string; message: string } | null;
  files_changed: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function dispatch(args: string[], env: Record<string, string | undefined> = {}) {
  const result = await runCli(['--quiet', ...args], { env: testEnv(home, env) });
  const dir = result.stdout.trim();
  return { ...result, dir, summary: existsSync(join(dir, 'summary.json')) ? readJson<Summary>(join(dir, 'summary.json')) : undefined };
}

/** Starts dispatch in the background and waits until its agent reports a session. */
async function startInBackground(args: string[], env: Record<string, string | undefined> = {}) {
  const runs = join(home, 'runs');
  const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
  const child = execa(process.execPath, [dispatchBin, '--quiet', ...args], { env: testEnv(home, env), extendEnv: false, reject: false });
  for (let i = 0; i < 400; i++) {
    const dir = existsSync(runs) ? readdirSync(runs).find((name) => !name.includes('-group-') && !before.has(name)) : undefined;
    const events = dir ? join(runs, dir, 'events.jsonl') : '';
    if (dir && existsSync(events) && readEvents(events).some((event) => event.type === 'session.started')) {
      return { child, dir: join(runs, dir), id: dir };
    }
    await sleep(25);
  }
  throw new Error('the agent never started');
}

describe('dispatch resume', () => {
  it.each(['codex', 'claude'])('%s: continues the session in the same workspace; diffs against the parent and the base', async (agent) => {
    const record = join(home, 'record.jsonl');
    const parent = await dispatch(['--executor', agent, repo, 'first task'], { FAKE_AGENT_RECORD: record });
    const resumed = await runCli(['resume', '--quiet', parent.summary?.run_id.slice(-6) ?? '', '[scenario:followup]', 'now', 'the', 'rest'], {
      env: testEnv(home, { FAKE_AGENT_RECORD: record }),
    });
    expect(resumed.exitCode).toBe(0);
    const dir = resumed.stdout.trim();
    const child = readJson<Summary>(join(dir, 'summary.json'));
    expect(child).toMatchObject({ parent_run_id: parent.summary?.run_id, workspace: parent.summary?.workspace, outcome: 'success', files_changed: 1 });
    const calls = readFileSync(record, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[]; prompt: string; cwd: string; codexHome?: string; claudeDir?: string });
    const last = calls.at(-1);
    expect(last?.prompt).toBe('[scenario:followup] now the rest');
    expect(last?.cwd).toBe(parent.summary?.workspace);
    if (agent === 'codex') {
      expect(last?.args.slice(-3)).toEqual(['resume', parent.summary?.session_id, '-']);
      expect(last?.codexHome).toBe(join(parent.dir, 'agent-home'));
    } else {
      expect(last?.args.slice(-2)).toEqual(['--resume', parent.summary?.session_id]);
      expect(last?.claudeDir).toBe(join(parent.dir, 'agent-home'));
    }
    const patch = readFileSync(join(dir, 'diff.patch'), 'utf8');
    expect(patch).toContain('second.txt');
    expect(patch).not.toContain('hello.txt');
    const fromBase = readFileSync(join(dir, 'diff-from-base.patch'), 'utf8');
    expect(fromBase).toContain('second.txt');
    expect(fromBase).toContain('hello.txt');
  });

  it('refuses a run without a session, or whose workspace is gone', async () => {
    const noLogin = await dispatch([repo, 'task'], { OPENAI_API_KEY: undefined });
    const result = await runCli(['resume', noLogin.summary?.run_id ?? '', 'more'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: run .* has no agent session to resume/);
    const gone = await dispatch(['--no-keep-workspace', repo, 'task']);
    const again = await runCli(['resume', gone.summary?.run_id ?? '', 'more'], { env: testEnv(home) });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/workspace of run .* is gone/);
  });
});

describe('dispatch cancel', () => {
  it('from another shell: the agent stops, the summary says cancelled, the dispatcher exits 130', async () => {
    const { child, dir, id } = await startInBackground(['--kill-grace', '300ms', repo, '[scenario:ignore-sigterm]']);
    const cancel = await runCli(['cancel', id], { env: testEnv(home) });
    expect(cancel.exitCode).toBe(0);
    expect(cancel.stdout).toBe(`run ${id}: cancelled`);
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(readJson(join(dir, 'summary.json'))).toMatchObject({ status: 'cancelled', outcome: 'cancelled', error: { kind: 'cancelled' } });
    const again = await runCli(['cancel', id], { env: testEnv(home) });
    expect(again.stdout).toBe(`run ${id} is not running (cancelled); nothing to cancel`);
  });

  it('a group: every member stops', async () => {
    const child = execa(process.execPath, [dispatchBin, '--json', '--executor', 'both', repo, '[scenario:hang]'], {
      env: testEnv(home),
      extendEnv: false,
      reject: false,
    });
    let group: string | undefined;
    for (let i = 0; i < 400 && !group; i++) {
      await sleep(25);
      group = existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')).find((name) => name.includes('-group-')) : undefined;
    }
    await sleep(500);
    const cancel = await runCli(['cancel', group ?? ''], { env: testEnv(home) });
    expect(cancel.stdout).toMatch(/: cancelled$/);
    const result = await child;
    const record = JSON.parse(String(result.stdout)) as { status: string; members: { outcome: string }[] };
    expect(record.status).toBe('cancelled');
    expect(record.members.map((member) => member.outcome)).toEqual(['cancelled', 'cancelled']);
    expect(result.exitCode).toBe(130);
  });
});

describe('a dispatcher killed with SIGKILL', () => {
  it('leaves a run that any reader marks abandoned; its orphaned agent is killed; partial output kept', async () => {
    const { child, dir, id } = await startInBackground([repo, '[scenario:hang]']);
    child.kill('SIGKILL');
    await child;
    const pgid = readJson<{ agent_pgid: number }>(join(dir, 'summary.json')).agent_pgid;
    expect(pgid).toBeGreaterThan(0);
    expect(processesUnder(dir).length).toBeGreaterThan(0); // the agent outlived its dispatcher
    const cancel = await runCli(['cancel', id], { env: testEnv(home) });
    expect(cancel.stdout).toBe(`run ${id} is not running (abandoned); nothing to cancel`);
    expect(processesUnder(dir)).toEqual([]);
    const summary = readJson<Summary>(join(dir, 'summary.json'));
    expect(summary).toMatchObject({ status: 'abandoned', outcome: 'abandoned', error: { kind: 'abandoned' } });
    expect(existsSync(join(dir, 'diff.patch'))).toBe(true);
    expect(readFileSync(join(dir, 'output.log'), 'utf8')).toContain('thread.started');
  });
});

describe('dispatch prune', () => {
  it('removes old runs and worktrees, keeps the newest N, never touches a running run, reports space', async () => {
    const first = await dispatch([repo, 'one']);
    await dispatch([repo, 'two']);
    const running = await startInBackground([repo, '[scenario:hang]']);
    try {
      await pruneChecks(first, running);
    } finally {
      running.child.kill('SIGTERM');
      await running.child;
    }
  });

  // Run ids carry their start time to the second: let every run be older than "0s".
  async function pruneChecks(first: { dir: string; summary?: Summary }, running: { id: string; dir: string }) {
    await sleep(1_100);
    const dry = await runCli(['prune', '--older-than', '0s', '--dry-run'], { env: testEnv(home) });
    expect(dry.stdout).toMatch(/^would remove 2 run\(s\) \(2 with worktrees\), 0 group\(s\), [\d.]+ KiB/m);
    // A dry run lists the runs it would remove (the running one is kept, and says so).
    expect(dry.stdout).toContain(`  run   ${first.summary?.run_id} (and its worktree)\n`);
    expect(dry.stdout).not.toContain(`run   ${running.id}`);
    expect(existsSync(first.dir)).toBe(true);

    const kept = await runCli(['prune', '--keep', '2', '--json'], { env: testEnv(home) });
    const keptReport = JSON.parse(kept.stdout) as { runs: string[]; skippedRunning: string[] };
    expect(keptReport.runs).toEqual([first.summary?.run_id]);
    expect(existsSync(first.dir)).toBe(false);

    const all = await runCli(['prune', '--older-than', '0s', '--json'], { env: testEnv(home) });
    const report = JSON.parse(all.stdout) as { runs: string[]; skippedRunning: string[]; bytesFreed: number };
    expect(report.skippedRunning).toEqual([running.id]);
    expect(report.runs).toHaveLength(1);
    expect(report.bytesFreed).toBeGreaterThan(1000);
    expect(existsSync(running.dir)).toBe(true);
    const mirror = join(home, 'repos', readdirSync(join(home, 'repos')).find((name) => name.endsWith('.git')) ?? '');
    const worktrees = await execa('git', ['--git-dir', mirror, 'worktree', 'list', '--porcelain']);
    expect(worktrees.stdout).not.toContain(first.dir);
  }

  it('--workspaces-only keeps the run directories', async () => {
    const run = await dispatch([repo, 'one']);
    await sleep(1_100);
    const result = await runCli(['prune', '--older-than', '0s', '--workspaces-only'], { env: testEnv(home) });
    expect(result.stdout).toMatch(/^removed 1 worktree\(s\), /);
    expect(existsSync(join(run.dir, 'workspace'))).toBe(false);
    expect(existsSync(join(run.dir, 'diff.patch'))).toBe(true);
  });
});

describe('--no-overlap', () => {
  it('exits 4 at once while the same job runs, and runs again once it is done', async () => {
    const env = { FAKE_AGENT_DELAY_MS: '1500' };
    const job = ['--no-overlap', repo, '[scenario:slow-ok] nightly'];
    const first = await startInBackground(job, env);
    const second = await runCli(job, { env: testEnv(home, env) });
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toMatch(/^error: the same job \(lock job-[0-9a-f]{16}\) is already running by pid \d+/);
    const otherTask = await runCli(['--quiet', '--no-overlap', repo, 'another task'], { env: testEnv(home) });
    expect(otherTask.exitCode).toBe(0);
    expect((await first.child).exitCode).toBe(0);
    const third = await runCli(['--quiet', ...job], { env: testEnv(home, env) });
    expect(third.exitCode).toBe(0);
  });

  it('takes over the lock of a dispatcher that died', async () => {
    const first = await startInBackground(['--lock-key', 'nightly', repo, '[scenario:hang]']);
    first.child.kill('SIGKILL');
    await first.child;
    const next = await runCli(['--quiet', '--lock-key', 'nightly', repo, 'task'], { env: testEnv(home) });
    expect(next.exitCode).toBe(0);
    await runCli(['cancel', first.id], { env: testEnv(home) }); // reaps the orphaned agent
  });
});
