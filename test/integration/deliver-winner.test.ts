import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../src/runs/group-record.js';
import { cleanRunHome, createRunHome, git } from '../helpers/sample-repo.js';
import { runCli, testEnv } from '../helpers/run-cli.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-deliver-')));
afterEach(() => cleanRunHome(home));

const BEST_OF_TWO = ['--executor', 'both', '--check', 'grep -q claude hello.txt'];

async function dispatchJson(args: string[], env: Record<string, string | undefined> = {}) {
  const result = await runCli(['--json', ...args], { env: testEnv(home, env) });
  const record = result.stdout.trim().startsWith('{') ? (JSON.parse(result.stdout) as GroupRecord) : undefined;
  return { ...result, record };
}

/** A bare repository standing in for the user's GitHub remote, with main pushed to it as origin. */
function addBareOrigin(): string {
  const bare = join(home, 'origin.git');
  git(home, 'init', '-q', '--bare', bare);
  git(repo, 'remote', 'add', 'origin', bare);
  git(repo, 'push', '-q', 'origin', 'main');
  return bare;
}

/** A `gh` stand-in on PATH that records its arguments, cwd and the body file, and prints a PR URL. */
function installStubGh(): { binDir: string; calls: () => { args: string[]; cwd: string; body: string }[] } {
  const binDir = join(home, 'stub-bin');
  const log = join(home, 'gh-calls.jsonl');
  mkdirSync(binDir, { recursive: true });
  writeFileSync(
    join(binDir, 'gh'),
    [
      '#!/usr/bin/env node',
      "const { appendFileSync, readFileSync } = require('node:fs');",
      'const args = process.argv.slice(2);',
      "const body = readFileSync(args[args.indexOf('--body-file') + 1], 'utf8');",
      `appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, cwd: process.cwd(), body }) + '\\n');`,
      "process.stdout.write('https://github.com/acme/app/pull/7\\n');",
      '',
    ].join('\n'),
  );
  chmodSync(join(binDir, 'gh'), 0o755);
  const calls = () =>
    existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[]; cwd: string; body: string }) : [];
  return { binDir, calls };
}

describe('--apply', () => {
  it("creates dispatch/<group-id> in the user's own repository, leaving its HEAD, index and files alone", async () => {
    writeFileSync(join(repo, 'README.md'), '# sample\nwork in progress\n');
    writeFileSync(join(repo, 'staged.txt'), 'staged\n');
    git(repo, 'add', 'staged.txt');
    const before = { head: git(repo, 'rev-parse', 'HEAD'), branch: git(repo, 'symbolic-ref', 'HEAD'), status: git(repo, 'status', '--porcelain') };
    const index = readFileSync(join(repo, '.git', 'index'));

    const run = await runCli([...BEST_OF_TWO, '--apply', repo, 'Say hi'], { env: testEnv(home) });
    expect(run.exitCode).toBe(0);
    const groupId = /group (\d{8}-\d{6}-group-[a-z0-9]{6})/.exec(run.stdout)?.[1] ?? '';
    const branch = `dispatch/${groupId}`;
    expect(git(repo, 'show', `${branch}:hello.txt`)).toBe('hi from claude');
    expect(git(repo, 'rev-parse', `${branch}^`)).toBe(before.head);
    expect({ head: git(repo, 'rev-parse', 'HEAD'), branch: git(repo, 'symbolic-ref', 'HEAD'), status: git(repo, 'status', '--porcelain') }).toEqual(before);
    expect(readFileSync(join(repo, '.git', 'index')).equals(index)).toBe(true);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('# sample\nwork in progress\n');
    expect(run.stdout).not.toContain('<mirror>');
    expect(run.stdout).toContain(`applied: branch ${branch} in ${repo}`);
  });

  it('a single run with --apply is a group of one whose winner is that run', async () => {
    const run = await dispatchJson(['--apply', repo, 'Say hi']);
    expect(run.exitCode).toBe(0);
    expect(run.record).toMatchObject({ mode: 'single', winner: run.record?.members[0]?.run_id, applied_branch: `dispatch/${run.record?.group_id}`, applied_in: repo });
    expect(git(repo, 'show', `dispatch/${run.record?.group_id}:hello.txt`)).toBe('hi from codex');
  });

  it('for a remote repository the branch is in the mirror, and the hint names the real mirror path', async () => {
    const bare = addBareOrigin();
    const run = await runCli(['--apply', `file://${bare}`, 'Say hi'], { env: testEnv(home) });
    expect(run.exitCode).toBe(0);
    const mirror = join(home, 'repos', readdirSync(join(home, 'repos')).find((name) => name.endsWith('.git')) ?? '');
    const hint = /get it with `git fetch (\S+) (dispatch\/\S+):\S+`/.exec(run.stdout);
    expect(hint?.[1]).toBe(mirror);
    expect(git(repo, 'fetch', '-q', hint?.[1] ?? '', `${hint?.[2]}:${hint?.[2]}`)).toBe('');
    expect(git(repo, 'show', `${hint?.[2]}:hello.txt`)).toBe('hi from codex');
  });
});

describe('--push', () => {
  it("pushes the winner's branch to the local repository's origin", async () => {
    const bare = addBareOrigin();
    const run = await dispatchJson([...BEST_OF_TWO, '--push', repo, 'Say hi']);
    expect(run.exitCode).toBe(0);
    const branch = `dispatch/${run.record?.group_id}`;
    expect(run.record).toMatchObject({ applied_branch: branch, pushed_to: bare });
    expect(git(home, '--git-dir', bare, 'show', `${branch}:hello.txt`)).toBe('hi from claude');
    expect(git(home, '--git-dir', bare, 'rev-parse', branch)).toBe(git(repo, 'rev-parse', branch));
  });

  it('pushes to the URL when the repo argument is one', async () => {
    const bare = addBareOrigin();
    const run = await dispatchJson(['--push', `file://${bare}`, 'Say hi']);
    expect(run.exitCode).toBe(0);
    expect(git(home, '--git-dir', bare, 'show', `dispatch/${run.record?.group_id}:hello.txt`)).toBe('hi from codex');
  });

  it('a failed push is a clear error (exit 3); the runs and the local branch are kept', async () => {
    git(repo, 'remote', 'add', 'origin', join(home, 'no-such-remote.git'));
    const run = await dispatchJson([...BEST_OF_TWO, '--push', repo, 'Say hi']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/^error: --push failed: cannot push dispatch\/\S+ to \S+no-such-remote\.git: .+ — the winner is kept on branch dispatch\/\S+ in /m);
    const record = run.record!;
    expect(record.winner).toBeTruthy();
    expect(record.dispatch_exit_code).toBe(3);
    expect(record.pushed_to).toBeUndefined();
    expect(git(repo, 'show', `${record.applied_branch}:hello.txt`)).toBe('hi from claude');
    expect(existsSync(join(home, 'runs', record.winner ?? '', 'diff.patch'))).toBe(true);
  });

  it('a local repository without origin says so', async () => {
    const run = await dispatchJson(['--push', repo, 'Say hi']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('has no remote named origin to push to');
  });
});

describe('--pr', () => {
  it('pushes, then opens the pull request with gh: title from the task, body with winner, reason, check and every run', async () => {
    const bare = addBareOrigin();
    const gh = installStubGh();
    const run = await dispatchJson([...BEST_OF_TWO, '--pr', repo, 'Say hi politely\n\nMore details here.'], { PATH: `${gh.binDir}:${process.env.PATH}` });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const record = run.record!;
    const branch = `dispatch/${record.group_id}`;
    expect(record).toMatchObject({ pr_url: 'https://github.com/acme/app/pull/7', pushed_to: bare });
    const [call, ...more] = gh.calls();
    expect(more).toEqual([]);
    expect(call?.cwd).toBe(repo);
    expect(call?.args.slice(0, 2)).toEqual(['pr', 'create']);
    const flag = (name: string) => call?.args[(call?.args.indexOf(name) ?? -2) + 1];
    expect({ head: flag('--head'), base: flag('--base'), title: flag('--title') }).toEqual({ head: branch, base: 'main', title: 'Say hi politely' });
    expect(flag('--body-file')).toBe(join(home, 'runs', record.group_id, 'pr-body.md'));
    const claude = record.members.find((member) => member.executor === 'claude');
    const codex = record.members.find((member) => member.executor === 'codex');
    expect(call?.body).toContain('> Say hi politely');
    expect(call?.body).toContain(`Run \`${claude?.run_id}\` (claude`);
    expect(call?.body).toContain('the only candidate whose check passed');
    expect(call?.body).toContain('`grep -q claude hello.txt`: **passed** (exit 0');
    expect(call?.body).toMatch(new RegExp(`\\| \`${codex?.run_id}\` \\| codex#1 \\| check_failed \\| failed \\|`));
    expect(call?.body).toMatch(new RegExp(`\\| \`${claude?.run_id}\` \\(winner\\) \\| claude#1 \\| success \\| passed \\|`));
    // gh cannot attach a file: the body names the HTML report, written once the group is final.
    const reportPath = join(home, 'runs', record.group_id, 'report.html');
    expect(call?.body).toContain(`HTML report (diffs, timeline, every run): \`${reportPath}\` on `);
    expect(readFileSync(reportPath, 'utf8')).toContain(`<title>dispatch group ${record.group_id}</title>`);
  });

  it('without gh on PATH: a clear error before any agent starts', async () => {
    const emptyBin = join(home, 'empty-bin');
    mkdirSync(emptyBin);
    const run = await runCli(['--pr', repo, 'Say hi'], { env: testEnv(home, { PATH: emptyBin }) });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe('error: --pr opens the pull request with the GitHub CLI, and `gh` is not on PATH — install the GitHub CLI (https://cli.github.com) and run `gh auth login`, or drop --pr');
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('a failing gh is an error (exit 3); the branch stays pushed and the runs kept', async () => {
    addBareOrigin();
    const binDir = join(home, 'failing-bin');
    mkdirSync(binDir);
    writeFileSync(join(binDir, 'gh'), '#!/bin/sh\necho "HTTP 401: Bad credentials" >&2\nexit 1\n');
    chmodSync(join(binDir, 'gh'), 0o755);
    const run = await dispatchJson(['--pr', repo, 'Say hi'], { PATH: `${binDir}:${process.env.PATH}` });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('error: --pr failed: gh pr create failed: HTTP 401: Bad credentials');
    expect(run.record?.pushed_to).toBeTruthy();
    expect(run.record?.pr_url).toBeUndefined();
  });
});
