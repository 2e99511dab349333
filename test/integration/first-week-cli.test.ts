import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { dispatchBin, readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-week-')));
afterEach(() => cleanRunHome(home));

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { env: testEnv(home, env) });

async function dispatchRun(args: string[]) {
  const result = await cli(['--quiet', ...args, repo, 'Say hi']);
  const dir = result.stdout.trim();
  return { ...result, dir, id: dir.split('/').at(-1) ?? '' };
}

async function dispatchGroup(args: string[], task = 'Say hi') {
  const result = await cli(['--json', ...args, repo, task]);
  return { ...result, record: JSON.parse(result.stdout) as GroupRecord };
}

describe('cron lines: --quiet and --json on every command', () => {
  it('the README weekly clean-up prints nothing and exits 0', async () => {
    await dispatchRun([]);
    const prune = await cli(['prune', '--older-than', '30d', '--quiet']);
    expect(prune).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('cancel, doctor, list and show have quiet and JSON forms', async () => {
    const run = await dispatchRun([]);
    expect(await cli(['cancel', '--quiet', run.id])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(JSON.parse((await cli(['cancel', '--json', run.id])).stdout)).toEqual({ kind: 'run', id: run.id, before: 'success', after: 'success' });
    const doctor = await cli(['doctor']);
    expect(await cli(['doctor', '--quiet'])).toEqual({ exitCode: doctor.exitCode, stdout: '', stderr: '' });
    expect((await cli(['list', '-q'])).stdout).toBe(run.id);
    expect((await cli(['show', '-q', 'latest'])).stdout).toBe('success');
  });

  it('logs --json prints the stored events as NDJSON; diff --stat and --json list the files', async () => {
    const run = await dispatchRun([]);
    const logs = await cli(['logs', '--json', run.id]);
    const lines = logs.stdout.split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(readEvents(join(run.dir, 'events.jsonl')).map((event) => event.type));
    const stat = await cli(['diff', '--stat', run.id]);
    expect(stat.stdout).toBe('+1 -0  README.md\n+1 -0  hello.txt\n2 files changed, +2 -0');
    const json = JSON.parse((await cli(['diff', '--json', run.id])).stdout) as { files_changed: number; files: { path: string }[] };
    expect(json.files_changed).toBe(2);
    expect(json.files.map((file) => file.path)).toEqual(['README.md', 'hello.txt']);
  });
});

describe('a group id where one run is expected', () => {
  it('logs, diff and resume act on the winner and say so', async () => {
    const { record } = await dispatchGroup(['--executor', 'both', '--check', 'grep -q claude hello.txt']);
    const winner = record.winner ?? '';
    expect(winner).toContain('-claude-');
    const note = `group ${record.group_id}: showing its winner, run ${winner}`;
    const diff = await cli(['diff', record.group_id]);
    expect(diff.stderr).toBe(note);
    expect(diff.stdout).toContain('+hi from claude');
    expect((await cli(['logs', record.group_id.slice(-6)])).stderr).toBe(note);
    const resumed = await cli(['resume', '--json', record.group_id, '[scenario:followup] more']);
    expect(resumed.stderr).toBe(`group ${record.group_id}: resuming its winner, run ${winner}`);
    expect((JSON.parse(resumed.stdout) as { parent_run_id: string }).parent_run_id).toBe(winner);
  });

  it('a group without a winner names its runs', async () => {
    const { record } = await dispatchGroup(['--executor', 'both']);
    const diff = await cli(['diff', record.group_id]);
    expect(diff.exitCode).toBe(2);
    expect(diff.stderr).toMatch(new RegExp(`^error: group ${record.group_id} has no winner and 2 runs: \\S+-codex-\\S+ \\(codex, success\\), \\S+-claude-\\S+ \\(claude, success\\) — pass one of its run ids`));
  });

  it('a fallback group whose fallback succeeded has the fallback as its winner', async () => {
    const { record, exitCode } = await dispatchGroup(['--executor', 'codex', '--fallback', 'claude'], '[scenario-codex:fail] Say hi');
    expect(exitCode).toBe(0);
    const fallback = record.members.find((member) => member.fallback_of !== null);
    expect(record.winner).toBe(fallback?.run_id);
    expect(record.winner_reason).toBe('the fallback (claude) succeeded after codex ended in agent_error');
    expect((await cli(['diff', record.group_id])).stdout).toContain('+hi from claude');
  });
});

describe('what a new user mistypes', () => {
  it('a command typo is a usage error with a suggestion, not a run on a repo named lst', async () => {
    const typo = await cli(['lst']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toBe("error: unknown command 'lst' — did you mean `./bin/dispatch list`? (a repo named lst: pass ./lst or a URL)");
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('both inside a list, a missing path', async () => {
    expect((await cli(['-e', 'both,gemini', repo, 'x'])).stderr).toMatch(/^error: unknown executor 'gemini' — /);
    const missing = await cli(['./no-such-dir', 'x']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^error: no such directory: \.\/no-such-dir — check the path/);
  });

  it('--no-overlap says which lock to remove', async () => {
    const args = ['--quiet', '--no-overlap', repo, '[scenario:slow-ok] same job'];
    const first = execa(process.execPath, [dispatchBin, ...args], { env: testEnv(home, { FAKE_AGENT_DELAY_MS: '3000' }), extendEnv: false, reject: false });
    const locks = join(home, 'locks');
    for (let i = 0; i < 200 && !(existsSync(locks) && readdirSync(locks).some((name) => name.endsWith('.lock'))); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const second = await cli(args);
    await first;
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toMatch(new RegExp(`if no dispatch is running, remove ${locks}/job-[0-9a-f]{16}\\.lock\\)$`));
  });
});

describe('exit codes and hooks', () => {
  it("summary.json keeps the agent's exit_code and adds dispatch's; show prints both", async () => {
    const run = await dispatchRun(['--check', 'false']);
    expect(run.exitCode).toBe(5);
    expect(readJson(join(run.dir, 'summary.json'))).toMatchObject({ outcome: 'check_failed', exit_code: 0, dispatch_exit_code: 5 });
    expect((await cli(['show', run.id])).stdout).toMatch(/^ {2}exit code: +agent 0, dispatch 5$/m);
    const { record, exitCode } = await dispatchGroup(['-n', '2', '--check', 'false']);
    expect(exitCode).toBe(5);
    expect(record).toMatchObject({ exit_code: 5, dispatch_exit_code: 5 });
    expect(record.members[0]).toMatchObject({ exit_code: 5, dispatch_exit_code: 5, agent_exit_code: 0 });
  });

  it('--on-finish output is shown after the result; a failure is said even with --quiet', async () => {
    const shown = await cli([repo, 'Say hi', '--on-finish', 'echo "notified: $(basename "$DISPATCH_SUMMARY")"']);
    expect(shown.stdout).toMatch(/\non-finish: exit 0\n {2}notified: summary\.json$/);
    const failed = await cli(['--quiet', repo, 'Say hi', '--on-finish', 'echo nope; exit 3']);
    expect(failed.exitCode).toBe(0);
    expect(failed.stderr).toMatch(/^dispatch: the --on-finish command failed \(exit 3\); its output: \S+\/on-finish\.log$/);
  });
});
