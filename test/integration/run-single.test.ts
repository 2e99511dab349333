import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { summarySchema } from '../../src/runs/summary-schema.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';

interface Summary {
  [key: string]: unknown;
  run_id: string;
  status: string;
  outcome: string;
  changes: string;
  files_changed: number;
  insertions: number;
  deletions: number;
  before_sha: string;
  after_sha: string;
  session_id: string | null;
  final_message: string | null;
  usage: { input_tokens: number; output_tokens: number; cached_input_tokens: number; reasoning_tokens: number } | null;
  cost_usd: number | null;
  agent: { argv: string[]; version: string | null };
  unknown_events: number;
  error: { kind: string; message: string; reset_at?: string } | null;
  workspace: string | null;
  labels: Record<string, string>;
}

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-single-')));
afterEach(() => cleanRunHome(home));

function runDirOf(stdout: string): string {
  const dir = stdout.trim().split('\n').at(-1) ?? '';
  expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  return dir;
}

async function dispatch(args: string[], extraEnv: Record<string, string | undefined> = {}, input = '') {
  return runCli(['--quiet', ...args], { env: testEnv(home, extraEnv), input });
}

describe('a successful run', () => {
  it('codex: writes a complete run directory with the diff, events and summary', async () => {
    const record = join(home, 'record.jsonl');
    const userCodex = join(home, 'user-home', '.codex');
    mkdirSync(userCodex, { recursive: true });
    writeFileSync(join(userCodex, 'auth.json'), '{"tokens":"user-login"}');
    writeFileSync(join(userCodex, 'config.toml'), 'model = "gpt-test"\n');
    const task = 'Add a greeting file\nwith two lines of "quotes" and $HOME';
    const result = await dispatch(['--executor', 'codex', '--label', 'team=core', repo, task], { FAKE_AGENT_RECORD: record });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const dir = runDirOf(result.stdout);
    const summary = readJson<Summary>(join(dir, 'summary.json'));
    const head = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

    expect(summary).toMatchObject({
      status: 'success',
      outcome: 'success',
      executor: 'codex',
      changes: 'uncommitted',
      files_changed: 2,
      insertions: 2,
      deletions: 0,
      before_sha: head,
      after_sha: head,
      final_message: 'done',
      branch: 'main',
      labels: { team: 'core' },
      unknown_events: 0,
      error: null,
      mode: 'single',
    });
    expect(summarySchema.safeParse(summary).error).toBeUndefined();
    expect(summary.run_id).toMatch(/^\d{8}-\d{6}-codex-[a-z0-9]{6}$/);
    expect(summary.session_id).toMatch(/^fake-\d+$/);
    expect(summary.usage).toEqual({ input_tokens: 120, cached_input_tokens: 20, output_tokens: 30, reasoning_tokens: 5 });
    expect(summary.agent.argv.slice(1, 5)).toEqual(['exec', '--json', '-s', 'workspace-write']);
    expect(summary.agent.argv.at(-1)).toBe('-');

    // The prompt went on stdin, exactly; the agent ran in the worktree with its own CODEX_HOME.
    const call = JSON.parse(readFileSync(record, 'utf8').trim()) as { prompt: string; cwd: string; codexHome: string };
    expect(call.prompt).toBe(task);
    expect(call.cwd).toBe(join(dir, 'workspace'));
    expect(call.codexHome).toBe(join(dir, 'agent-home'));
    expect(statSync(call.codexHome).mode & 0o777).toBe(0o700);
    // config.toml is the run's own copy; auth.json links the user's file (one token chain, no secret in the run).
    expect(readFileSync(join(call.codexHome, 'config.toml'), 'utf8')).toBe(readFileSync(join(userCodex, 'config.toml'), 'utf8'));
    expect(statSync(join(call.codexHome, 'config.toml')).mode & 0o777).toBe(0o600);
    expect(readlinkSync(join(call.codexHome, 'auth.json'))).toBe(join(userCodex, 'auth.json'));

    expect(readFileSync(join(dir, 'task.md'), 'utf8')).toBe(task);
    expect(readFileSync(join(dir, 'last-message.md'), 'utf8')).toBe('done\n');
    const types = readEvents(join(dir, 'events.jsonl')).map((event) => event.type);
    expect(types).toEqual(['run.started', 'session.started', 'turn.started', 'command', 'command', 'message', 'turn.completed', 'run.finished']);
    expect(readFileSync(join(dir, 'output.log'), 'utf8')).toContain('"thread.started"');

    // diff.patch reproduces the agent's work on a fresh checkout of before_sha.
    const check = join(home, 'check');
    execFileSync('git', ['clone', '-q', repo, check]);
    execFileSync('git', ['-C', check, 'apply', '--binary', join(dir, 'diff.patch')]);
    expect(readFileSync(join(check, 'hello.txt'), 'utf8')).toBe('hi from codex\n');
    // The source repository itself is untouched.
    expect(execFileSync('git', ['-C', repo, 'status', '--porcelain'], { encoding: 'utf8' })).toBe('');
  });

  it('claude: maps stream-json, cost and permission mode', async () => {
    const result = await dispatch(['--executor', 'claude', repo, 'Add a greeting file']);
    expect(result.exitCode).toBe(0);
    const dir = runDirOf(result.stdout);
    const summary = readJson<Summary>(join(dir, 'summary.json'));
    expect(summary).toMatchObject({ outcome: 'success', executor: 'claude', final_message: 'done', cost_usd: 0.0123, files_changed: 2 });
    expect(summary.agent.argv.slice(1)).toEqual([
      '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--allowedTools=Bash',
    ]);
    expect(summary.usage).toEqual({ input_tokens: 120, cached_input_tokens: 20, output_tokens: 30, reasoning_tokens: 0 });
  });

  it('reads the task from stdin with `-` and from --task-file', async () => {
    const record = join(home, 'record.jsonl');
    const fromStdin = await dispatch([repo, '-'], { FAKE_AGENT_RECORD: record }, 'task from stdin\n');
    expect(fromStdin.exitCode).toBe(0);
    const file = join(home, 'task.txt');
    writeFileSync(file, 'task from a file');
    const fromFile = await dispatch(['--task-file', file, repo], { FAKE_AGENT_RECORD: record });
    expect(fromFile.exitCode).toBe(0);
    const prompts = readFileSync(record, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { prompt: string }).prompt);
    expect(prompts).toEqual(['task from stdin\n', 'task from a file']);
  });

  it('captures commits, binary files, deletions and new directories', async () => {
    const committed = await dispatch([repo, '[scenario:commit]']);
    const summary = readJson<Summary>(join(runDirOf(committed.stdout), 'summary.json'));
    expect(summary.changes).toBe('committed');
    expect(summary.after_sha).not.toBe(summary.before_sha);
    expect(summary.files_changed).toBe(3);

    const binary = await dispatch([repo, '[scenario:binary-delete]']);
    const dir = runDirOf(binary.stdout);
    const patch = readFileSync(join(dir, 'diff.patch'), 'utf8');
    expect(patch).toContain('GIT binary patch');
    expect(patch).toContain('deleted file mode');
    const check = join(home, 'check');
    execFileSync('git', ['clone', '-q', repo, check]);
    execFileSync('git', ['-C', check, 'apply', '--binary', join(dir, 'diff.patch')]);
    expect(readFileSync(join(check, 'blob.bin'))).toEqual(Buffer.from([0, 1, 2, 255, 0, 10, 13, 0]));
    expect(existsSync(join(check, 'delete-me.txt'))).toBe(false);
    expect(readFileSync(join(check, 'new', 'dir', 'file.txt'), 'utf8')).toBe('nested\n');
  });

  it('prints the summary as JSON with --json and a human report by default', async () => {
    const json = await runCli(['run', '--json', repo, 'task'], { env: testEnv(home) });
    expect(json.exitCode).toBe(0);
    const summary = JSON.parse(json.stdout) as Summary;
    expect(summary.outcome).toBe('success');
    const human = await runCli([repo, 'task'], { env: testEnv(home) });
    expect(human.stdout).toMatch(/^success: codex on src-repo in /);
    expect(human.stdout).toContain('changes: 2 files changed, +2 -0 (uncommitted)');
    expect(human.stdout).toContain('run: ');
    expect(human.stdout).toContain('  done');
  });

  it('removes the worktree with --no-keep-workspace but keeps the diff', async () => {
    const result = await dispatch(['--no-keep-workspace', repo, 'task']);
    const dir = runDirOf(result.stdout);
    expect(existsSync(join(dir, 'workspace'))).toBe(false);
    expect(readFileSync(join(dir, 'diff.patch'), 'utf8')).toContain('hello.txt');
    expect(readJson<Summary>(join(dir, 'summary.json')).workspace).toBeNull();
  });

  it('gives two concurrent runs on one repo separate worktrees and correct diffs', async () => {
    const [first, second] = await Promise.all([
      dispatch([repo, '[scenario:ok]']),
      dispatch(['--executor', 'claude', repo, '[scenario:binary-delete]']),
    ]);
    const firstPatch = readFileSync(join(runDirOf(first.stdout), 'diff.patch'), 'utf8');
    const secondPatch = readFileSync(join(runDirOf(second.stdout), 'diff.patch'), 'utf8');
    expect(firstPatch).toContain('hello.txt');
    expect(firstPatch).not.toContain('blob.bin');
    expect(secondPatch).toContain('blob.bin');
    expect(secondPatch).not.toContain('hello.txt');
    expect(readdirCount(join(home, 'repos'))).toBe(1);
  });
});

function readdirCount(dir: string): number {
  mkdirSync(dir, { recursive: true });
  return execFileSync('ls', [dir], { encoding: 'utf8' }).trim().split('\n').filter((name) => name.endsWith('.git')).length;
}
