import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';
import { dispatchBin, readEvents, readJson, runCli, testEnv } from '../helpers/run-cli.js';

const ESC = '\x1b';
const CLOCK_LINE = /^(\d\d:\d\d:\d\d|--:--:--| {8}) /;

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-logs-')));
afterEach(() => cleanRunHome(home));

/** bin/dispatch as runCli spawns it, but with its output exactly as printed (final newline kept). */
async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const result = await spawnDispatch(args, extraEnv);
  return { exitCode: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

async function spawnDispatch(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const result = await execa(process.execPath, [dispatchBin, ...args], {
    env: testEnv(home, extraEnv),
    extendEnv: false,
    input: '',
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: Buffer.from(result.stdout), stderr: Buffer.from(result.stderr) };
}

/** Dispatches a task quietly and returns the run (or group) id and directory. */
async function dispatch(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const result = await runCli(['--quiet', ...args], { env: testEnv(home, extraEnv) });
  const dir = result.stdout.trim().split('\n').at(-1) ?? '';
  expect(existsSync(dir), result.stderr).toBe(true);
  return { id: dir.split('/').at(-1) ?? '', dir, exitCode: result.exitCode };
}

/** `dispatch diff` as bytes, the way `> p.patch` would capture it. */
function diffBytes(runId: string, extraEnv: Record<string, string | undefined> = {}) {
  return spawnDispatch(['diff', runId], extraEnv);
}

function expectOneErrorLine(result: { exitCode: number; stderr: string }): void {
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
}

describe('dispatch logs', () => {
  it('renders the events of a finished run, one timed line each, no escape codes through a pipe', async () => {
    const run = await dispatch([repo, 'task']);
    const result = await cli(['logs', run.id]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d run ${run.id} started \\(codex\\)$`));
    expect(result.stdout).toMatch(/ session fake-\d+\n/);
    expect(result.stdout).toContain(" $ /bin/bash -lc 'echo hi > hello.txt'\n");
    expect(result.stdout).toMatch(/ ✓ exit 0 /);
    expect(result.stdout).toMatch(/\d\d done\n/);
    expect(result.stdout).toContain(' turn completed: tokens 120 in (20 cached), 30 out (5 reasoning)\n');
    expect(lines.at(-1)).toMatch(/ run finished: success \(exit 0\)$/);
    for (const line of lines) expect(line).toMatch(CLOCK_LINE);
    expect(result.stdout).not.toContain(ESC);
  });

  it('--raw prints output.log exactly; garbage, corrupt and half-written lines are tolerated', async () => {
    const run = await dispatch([repo, '[scenario:garbage]']);
    const raw = await cli(['logs', '--raw', run.id]);
    expect(raw.exitCode).toBe(0);
    expect(raw.stdout).toBe(readFileSync(join(run.dir, 'output.log'), 'utf8'));

    writeFileSync(join(run.dir, 'events.jsonl'), `${readFileSync(join(run.dir, 'events.jsonl'), 'utf8')}not json\n{"ts":"2026-`, { flag: 'w' });
    const logs = await cli(['logs', run.id]);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain(' ? {"type":"brand.new.event","x":1}\n');
    expect(logs.stdout).toMatch(/\n--:--:-- ! corrupt line skipped: not json\n$/);
  });

  it('-f prints the events that come later and exits by itself when the run ends', async () => {
    const env = testEnv(home, { FAKE_AGENT_DELAY_MS: '1500' });
    const background = execa(process.execPath, [dispatchBin, '--quiet', repo, '[scenario:slow-ok]'], { env, extendEnv: false, reject: false });
    const runDir = await waitForRunningRun();
    const id = runDir.split('/').at(-1) ?? '';
    expect(readEvents(join(runDir, 'events.jsonl')).map((event) => event.type)).not.toContain('message');

    const [events, raw] = await Promise.all([cli(['logs', '-f', id]), cli(['logs', '--follow', '--raw', id])]);
    expect((await background).exitCode).toBe(0);
    expect(events.exitCode).toBe(0);
    expect(events.stdout).toContain(" $ /bin/bash -lc 'echo hi > hello.txt'\n");
    expect(events.stdout).toMatch(/\d\d done\n/);
    expect(events.stdout.trimEnd().split('\n').at(-1)).toMatch(/ run finished: success \(exit 0\)$/);
    expect(raw.exitCode).toBe(0);
    expect(raw.stdout).toBe(readFileSync(join(runDir, 'output.log'), 'utf8'));
  });

  it('-f ends quietly on Ctrl-C (exit 130) while the run goes on', async () => {
    const env = testEnv(home);
    const background = execa(process.execPath, [dispatchBin, '--quiet', repo, '[scenario:hang]'], { env, extendEnv: false, reject: false });
    const id = (await waitForRunningRun()).split('/').at(-1) ?? '';
    const follow = execa(process.execPath, [dispatchBin, 'logs', '-f', id], { env, extendEnv: false, reject: false });
    // Ctrl-C once `logs -f` is following (it has printed the agent's session line), however slow the machine.
    await new Promise<void>((resolve) => {
      let seen = '';
      follow.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/ session fake-\d+$/m.test(seen)) resolve();
      });
    });
    follow.kill('SIGINT');
    const followed = await follow;
    expect(followed.exitCode).toBe(130);
    expect(followed.stderr).toBe('');
    expect(followed.stdout).toMatch(/ session fake-\d+$/m);
    background.kill('SIGTERM');
    expect((await background).exitCode).toBe(143);
  });
});

describe('dispatch diff', () => {
  it('prints a patch that git applies on a fresh clone at before_sha, binary files included', async () => {
    for (const task of ['[scenario:ok]', '[scenario:binary-delete]']) {
      const run = await dispatch([repo, task]);
      const diff = await diffBytes(run.id);
      expect(diff.exitCode).toBe(0);
      expect(diff.stdout.equals(readFileSync(join(run.dir, 'diff.patch')))).toBe(true);
      expect(diff.stdout.includes(ESC)).toBe(false);

      const clone = join(home, `clone-${run.id}`);
      execFileSync('git', ['clone', '-q', repo, clone]);
      execFileSync('git', ['-C', clone, 'checkout', '-q', readJson<{ before_sha: string }>(join(run.dir, 'summary.json')).before_sha]);
      const patchFile = join(home, `${run.id}.patch`);
      writeFileSync(patchFile, diff.stdout);
      execFileSync('git', ['-C', clone, 'apply', patchFile]);
      if (task.includes('binary')) {
        expect(readFileSync(join(clone, 'blob.bin'))).toEqual(Buffer.from([0, 1, 2, 255, 0, 10, 13, 0]));
        expect(existsSync(join(clone, 'delete-me.txt'))).toBe(false);
      } else {
        expect(readFileSync(join(clone, 'hello.txt'), 'utf8')).toBe('hi from codex\n');
      }
    }
  });

  it('colours with FORCE_COLOR unless NO_COLOR is set', async () => {
    const run = await dispatch([repo, 'task']);
    const coloured = await diffBytes(run.id, { FORCE_COLOR: '1' });
    expect(coloured.stdout.toString()).toContain(`${ESC}[32m+hi from codex${ESC}[39m`);
    const plain = await diffBytes(run.id, { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(plain.stdout.equals(readFileSync(join(run.dir, 'diff.patch')))).toBe(true);
  });

  it('an empty diff: one line on stderr, exit 0; no diff.patch: exit 2 with one line', async () => {
    const noop = await dispatch([repo, '[scenario:noop]']);
    const empty = await cli(['diff', noop.id]);
    expect(empty).toMatchObject({ exitCode: 0, stdout: '' });
    expect(empty.stderr).toMatch(/^run \S+ changed nothing: its diff is empty\n$/);

    rmSync(join(noop.dir, 'diff.patch'));
    const missing = await cli(['diff', noop.id]);
    expectOneErrorLine(missing);
    expect(missing.stderr).toContain('has no diff.patch');
  });
});

describe('dispatch compare', () => {
  it('shows the members of a group side by side with files touched and a similarity matrix', async () => {
    const group = await dispatch(['--executor', 'both', '-n', '2', repo, '[scenario-claude:binary-delete]']);
    const result = await cli(['compare', group.id]);
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`group ${group.id} (parallel, done): 4 members`);
    for (const label of ['codex#1', 'codex#2', 'claude#1', 'claude#2']) expect(out).toMatch(new RegExp(`^\\s+\\S+-(codex|claude)-\\S+\\s+${label} `, 'm'));
    expect(out).toMatch(/^files touched\s+codex#1\s+codex#2\s+claude#1\s+claude#2$/m);
    expect(out).toMatch(/^ {2}hello\.txt\s+✓\s+✓$/m);
    expect(out).toMatch(/^ {2}blob\.bin\s+✓\s+✓$/m);
    const matrix = out.slice(out.indexOf('diff similarity')).split('\n').slice(1, 5);
    matrix.forEach((row, index) => {
      const cells = row.trim().split(/\s+/).slice(1);
      expect(cells).toHaveLength(4);
      expect(cells[index]).toBe('1.00');
    });
    expect(matrix[0]?.trim().split(/\s+/)).toEqual(['codex#1', '1.00', '1.00', '0.00', '0.00']);
    expect(out).toContain('no winner (parallel mode picks none)');
    expect(out).not.toContain(ESC);

    const json = await cli(['compare', '--json', group.id]);
    const comparison = JSON.parse(json.stdout) as { members: { run_id: string; files: string[] }[]; similarity: number[][] };
    expect(comparison.members).toHaveLength(4);
    expect(comparison.similarity.map((row, index) => row[index])).toEqual([1, 1, 1, 1]);
    expect(comparison.members[0]?.files).toEqual(['README.md', 'hello.txt']);

    const viaRun = await cli(['compare', comparison.members[2]?.run_id ?? '']);
    expect(viaRun.stdout).toBe(out);
  });
});

describe('unknown ids', () => {
  it('exit 2 with one line for logs, diff and compare', async () => {
    for (const args of [['logs', 'nope'], ['logs', '-f', 'nope'], ['diff', 'nope'], ['compare', 'nope']]) {
      const result = await cli(args);
      expectOneErrorLine(result);
      expect(result.stdout).toBe('');
    }
    const single = await dispatch([repo, 'task']);
    const notGrouped = await cli(['compare', single.id]);
    expectOneErrorLine(notGrouped);
    expect(notGrouped.stderr).toContain('is not part of a group');
  });
});

/** The newest run directory once its summary.json exists and says running. */
async function waitForRunningRun(): Promise<string> {
  const runsDir = join(home, 'runs');
  for (let waited = 0; waited < 10_000; waited += 50) {
    const ids = existsSync(runsDir) ? readdirSync(runsDir).sort() : [];
    const dir = ids.length > 0 ? join(runsDir, ids.at(-1) ?? '') : undefined;
    if (dir && existsSync(join(dir, 'events.jsonl')) && existsSync(join(dir, 'summary.json')) && readJson<{ status: string }>(join(dir, 'summary.json')).status === 'running') return dir;
    await sleep(50);
  }
  throw new Error('no running run appeared');
}
