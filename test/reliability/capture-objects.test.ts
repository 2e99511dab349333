import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureChanges } from '../../src/repos/capture-diff.js';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome, createSampleRepo, git } from '../helpers/sample-repo.js';
import { runDirs } from './reliability-helpers.js';

const KEY = 'sk-test-0123456789abcdefghijklmnop';

function blobOf(content: string): string {
  return execFileSync('git', ['hash-object', '--stdin'], { input: content, encoding: 'utf8' }).trim();
}

function hasObject(gitDir: string, oid: string, env: Record<string, string> = {}): boolean {
  try {
    execFileSync('git', ['--git-dir', gitDir, 'cat-file', '-e', oid], { env: { ...process.env, ...env }, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

describe('the diff capture writes into per-run objects, never the shared mirror', () => {
  let home: string;
  let repo: string;
  beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-capture-objects-')));
  afterEach(() => cleanRunHome(home));

  const mirrorOf = () => join(home, 'repos', readdirSync(join(home, 'repos')).find((name) => name.endsWith('.git')) ?? '');

  it.each(['codex', 'claude'])('%s: a file with a key: its blob is not in the mirror; the summary names the file, never the key', async (executor) => {
    const result = await runCli(['-e', executor, repo, '[scenario:write-secret]'], { env: testEnv(home) });
    expect(result.exitCode).toBe(0);
    const [dir = ''] = runDirs(home);
    const blob = blobOf(`token = ${KEY}\n`);
    expect(hasObject(mirrorOf(), blob)).toBe(false);
    // It is in the run's own object directory, beside the kept workspace.
    expect(hasObject(mirrorOf(), blob, { GIT_OBJECT_DIRECTORY: join(dir, '.capture-objects') })).toBe(true);
    const summary = readJson<{ secrets_in_diff?: { file: string }[]; warnings: string[]; files_changed: number }>(join(dir, 'summary.json'));
    expect(summary.files_changed).toBe(1);
    expect(summary.secrets_in_diff).toEqual([{ file: 'leak.txt' }]);
    expect(summary.warnings.join('\n')).toContain('diff.patch holds a secret value');
    for (const text of [readFileSync(join(dir, 'summary.json'), 'utf8'), result.stdout, result.stderr]) expect(text).not.toContain(KEY);
    // diff.patch stays exact, so that it applies (the choice: flag it, do not rewrite the user's patch).
    expect(readFileSync(join(dir, 'diff.patch'), 'utf8')).toContain(`+token = ${KEY}`);
  });

  it('with --no-keep-workspace the run objects go with the workspace', async () => {
    const result = await runCli(['--no-keep-workspace', repo, '[scenario:write-secret]'], { env: testEnv(home) });
    expect(result.exitCode).toBe(0);
    const [dir = ''] = runDirs(home);
    expect(existsSync(join(dir, 'workspace'))).toBe(false);
    expect(existsSync(join(dir, '.capture-objects'))).toBe(false);
    expect(hasObject(mirrorOf(), blobOf(`token = ${KEY}\n`))).toBe(false);
  });

  it('a run without secrets has no secrets_in_diff', async () => {
    expect((await runCli([repo, '[scenario:ok]'], { env: testEnv(home) })).exitCode).toBe(0);
    const summary = readJson<Record<string, unknown>>(join(runDirs(home)[0] ?? '', 'summary.json'));
    expect(summary).not.toHaveProperty('secrets_in_diff');
  });
});

describe('the capture index is seeded from the worktree index', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'dispatch-capture-seed-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a change hidden with assume-unchanged or skip-worktree is still captured', async () => {
    const repoDir = await createSampleRepo(join(dir, 'repo'));
    const base = git(repoDir, 'rev-parse', 'HEAD');
    writeFileSync(join(repoDir, 'README.md'), 'changed behind git\n');
    writeFileSync(join(repoDir, 'delete-me.txt'), 'changed too\n');
    git(repoDir, 'update-index', '--assume-unchanged', 'README.md');
    git(repoDir, 'update-index', '--skip-worktree', 'delete-me.txt');
    const captured = await captureChanges(repoDir, base);
    expect(captured.filesChanged).toBe(2);
    expect(captured.patch.toString()).toContain('+changed behind git');
  });

  it('a hidden change is still captured when the index checksum cannot be checked (git lists the flags then)', async () => {
    const repoDir = await createSampleRepo(join(dir, 'repo'));
    const base = git(repoDir, 'rev-parse', 'HEAD');
    writeFileSync(join(repoDir, 'README.md'), 'changed behind git\n');
    git(repoDir, 'update-index', '--skip-worktree', 'README.md');
    // A zeroed trailer, as index.skipHash writes it.
    const indexPath = join(repoDir, '.git', 'index');
    const index = readFileSync(indexPath);
    index.fill(0, index.length - 20);
    writeFileSync(indexPath, index);
    const captured = await captureChanges(repoDir, base);
    expect(captured.filesChanged).toBe(1);
    expect(captured.patch.toString()).toContain('+changed behind git');
  });

  it('a change that keeps size and mtime, made in the second of the checkout, is captured seconds later', async () => {
    const source = await createSampleRepo(join(dir, 'source'));
    const base = git(source, 'rev-parse', 'HEAD');
    let worktree = '';
    // A fresh checkout, edited within the same second its index was written (tried again when a second boundary fell between).
    for (let attempt = 0; attempt < 10; attempt += 1) {
      worktree = join(dir, `wt-${attempt}`);
      git(source, 'worktree', 'add', '-q', '--detach', worktree, base);
      const file = join(worktree, 'src', 'index.js');
      const { atime, mtime } = statSync(file);
      writeFileSync(file, readFileSync(file, 'utf8').replace('42', '43'));
      utimesSync(file, atime, mtime);
      const adminDir = readFileSync(join(worktree, '.git'), 'utf8').slice('gitdir: '.length).trim();
      if (Math.floor(statSync(file).ctimeMs / 1000) === Math.floor(statSync(join(adminDir, 'index')).mtimeMs / 1000)) break;
    }
    // The capture comes in a later second, as a run's does after any real agent.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const captured = await captureChanges(worktree, base);
    expect(captured.filesChanged).toBe(1);
    expect(captured.patch.toString()).toContain('+export const answer = 43;');
  });

  it('staged, unstaged and untracked changes from the seeded index', async () => {
    const repoDir = await createSampleRepo(join(dir, 'repo'));
    const base = git(repoDir, 'rev-parse', 'HEAD');
    writeFileSync(join(repoDir, 'README.md'), 'staged\n');
    git(repoDir, 'add', 'README.md');
    writeFileSync(join(repoDir, 'README.md'), 'staged then edited\n');
    writeFileSync(join(repoDir, 'new.txt'), 'untracked\n');
    git(repoDir, 'rm', '-q', 'delete-me.txt');
    const captured = await captureChanges(repoDir, base);
    expect(captured.filesChanged).toBe(3);
    expect(captured.patch.toString()).toContain('+staged then edited');
    // The worktree's own index is as the agent left it.
    expect(git(repoDir, 'diff', '--cached', '--name-only')).toBe('README.md\ndelete-me.txt');
  });
});
