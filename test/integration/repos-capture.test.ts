import { createHash } from 'node:crypto';
import { existsSync, readdirSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InfraError } from '../../src/errors.js';
import { captureChanges } from '../../src/repos/capture-diff.js';
import { ensureMirror, resolveBaseCommit } from '../../src/repos/mirror.js';
import { parseRepoArg } from '../../src/repos/repo-arg.js';
import { addWorktree } from '../../src/repos/worktree.js';
import { createFixtureRepo, gitIn, makeTempDir, writeFiles, type FixtureRepo } from '../helpers/git-fixtures.js';

const NEW_BINARY = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));

let source: FixtureRepo;
let home: string;
let mirrorPath: string;
let beforeSha: string;
let workspace: string;

beforeEach(async () => {
  source = await createFixtureRepo();
  home = await makeTempDir('outpost-capture-');
  ({ mirrorPath } = await ensureMirror(parseRepoArg(source.path, { cwd: home }), join(home, 'repos')));
  beforeSha = (await resolveBaseCommit(mirrorPath, undefined)).sha;
  workspace = join(home, 'runs', 'run-1', 'workspace');
  await addWorktree(mirrorPath, workspace, beforeSha);
});

afterEach(async () => {
  await source.cleanup();
  await rm(home, { recursive: true, force: true });
});

// What an agent typically leaves: edits, a deletion, staged and untracked files in a new
// directory, a new and a changed binary, and an ignored file that must not be captured.
async function makeAgentEdits(dir: string): Promise<void> {
  await writeFiles(dir, {
    'README.md': '# fixture\n\nline two, edited\nline three\n',
    'lib/deep/new.ts': 'export const added = true;\n',
    'assets/new.bin': NEW_BINARY,
    'assets/logo.bin': Buffer.from([9, 0, 9, 0, 255]),
    'staged.txt': 'staged by the agent\n',
    'debug.log': 'ignored\n',
  });
  await unlink(join(dir, 'src/old.txt'));
  await gitIn(dir, ['add', 'staged.txt']);
}

async function snapshotIndex(dir: string): Promise<string> {
  const indexPath = await gitIn(dir, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
  const status = await gitIn(dir, ['status', '--porcelain=v1', '--untracked-files=all']);
  return `${createHash('sha256').update(await readFile(indexPath)).digest('hex')}\n${status}`;
}

async function applyOnFreshWorktree(patch: Buffer): Promise<string> {
  const dir = join(home, 'runs', 'replay', 'workspace');
  await addWorktree(mirrorPath, dir, beforeSha);
  const patchFile = join(home, 'diff.patch');
  await writeFile(patchFile, patch);
  await gitIn(dir, ['apply', '--whitespace=nowarn', patchFile]);
  return dir;
}

describe('captureChanges', () => {
  it('reports none for an untouched worktree', async () => {
    const captured = await captureChanges(workspace, beforeSha);
    const baseTree = (await gitIn(workspace, ['rev-parse', `${beforeSha}^{tree}`])).trim();
    expect(captured).toEqual({
      patch: Buffer.alloc(0), afterSha: beforeSha, afterTree: baseTree, changes: 'none', filesChanged: 0, insertions: 0, deletions: 0,
    });
  });

  it('keeps its temporary index in the run dir, never in the temp dir, and leaves none behind', async () => {
    await makeAgentEdits(workspace);
    const runDir = join(home, 'runs', 'run-1');
    const indexes = () => readdirSync(runDir).filter((name) => name.startsWith('.capture-index'));
    const tempBefore = readdirSync(tmpdir()).filter((name) => name.startsWith('outpost-index-'));
    const seen: string[] = [];
    const watcher = watch(runDir, (_event, name) => {
      if (name?.startsWith('.capture-index')) seen.push(name);
    });
    try {
      await captureChanges(workspace, beforeSha);
    } finally {
      watcher.close();
    }
    // A dead capture's index is a temp file of the run: reconcile's sweep matches it.
    expect(seen.some((name) => /^\.capture-index\.\d+-[0-9a-f]+\.tmp$/.test(name))).toBe(true);
    expect(indexes()).toEqual([]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('outpost-index-'))).toEqual(tempBefore);
  });

  it('diffs against another tree when asked (a resumed run against its parent end state)', async () => {
    await writeFile(join(workspace, 'first.txt'), 'first\n');
    const parent = await captureChanges(workspace, beforeSha);
    await writeFile(join(workspace, 'second.txt'), 'second\n');
    const resumed = await captureChanges(workspace, parent.afterSha, { diffBase: parent.afterTree });
    expect(resumed.patch.toString()).toContain('second.txt');
    expect(resumed.patch.toString()).not.toContain('first.txt');
    expect(resumed).toMatchObject({ filesChanged: 1, changes: 'uncommitted' });
  });

  it('captures uncommitted, staged, untracked, binary and deleted files without touching the index', async () => {
    await makeAgentEdits(workspace);
    const before = await snapshotIndex(workspace);
    const captured = await captureChanges(workspace, beforeSha);
    expect(await snapshotIndex(workspace)).toBe(before);
    expect(captured).toMatchObject({ afterSha: beforeSha, changes: 'uncommitted', filesChanged: 6, insertions: 4, deletions: 2 });
    const text = captured.patch.toString('latin1');
    expect(text).toContain('GIT binary patch');
    expect(text).toContain('deleted file mode 100644');
    expect(text).not.toContain('debug.log');

    const replay = await applyOnFreshWorktree(captured.patch);
    expect(await readFile(join(replay, 'README.md'), 'utf8')).toBe('# fixture\n\nline two, edited\nline three\n');
    expect(await readFile(join(replay, 'lib/deep/new.ts'), 'utf8')).toBe('export const added = true;\n');
    expect((await readFile(join(replay, 'assets/new.bin'))).equals(NEW_BINARY)).toBe(true);
    expect((await readFile(join(replay, 'assets/logo.bin'))).equals(Buffer.from([9, 0, 9, 0, 255]))).toBe(true);
    expect(existsSync(join(replay, 'src/old.txt'))).toBe(false);
    expect((await captureChanges(replay, beforeSha)).patch.equals(captured.patch)).toBe(true);
  });

  it('captures commits together with edits left after them', async () => {
    await writeFiles(workspace, { 'committed.txt': 'one\ntwo\n' });
    await gitIn(workspace, ['add', '--all']);
    await gitIn(workspace, ['commit', '--quiet', '-m', 'agent commit']);
    await writeFiles(workspace, { 'after-commit.txt': 'loose\n' });
    const afterSha = await gitIn(workspace, ['rev-parse', 'HEAD']);
    const captured = await captureChanges(workspace, beforeSha);
    expect(captured).toMatchObject({ afterSha, changes: 'committed', filesChanged: 2, insertions: 3, deletions: 0 });
    expect(afterSha).not.toBe(beforeSha);
    const replay = await applyOnFreshWorktree(captured.patch);
    expect(await readFile(join(replay, 'committed.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(await readFile(join(replay, 'after-commit.txt'), 'utf8')).toBe('loose\n');
  });

  it('captures commits made on a branch the agent created', async () => {
    await gitIn(workspace, ['switch', '--quiet', '-c', 'agent/fix']);
    await writeFiles(workspace, { 'src/index.js': 'export const answer = 43;\n' });
    await gitIn(workspace, ['commit', '--quiet', '-am', 'fix']);
    const captured = await captureChanges(workspace, beforeSha);
    expect(captured).toMatchObject({ changes: 'committed', filesChanged: 1, insertions: 1, deletions: 1 });
  });

  it('takes the patch and its counts from one diff: the same bytes as a diff asked for the patch alone', async () => {
    await makeAgentEdits(workspace);
    await gitIn(workspace, ['mv', 'src/index.js', 'src/renamed.js']);
    await writeFiles(workspace, { 'odd\tname\nwith newline ü.txt': 'x\n', 'no-newline.txt': 'end' });
    const captured = await captureChanges(workspace, beforeSha);
    // The same diff, asked as two commands with a temporary index (the way capture did it before).
    const env = { ...process.env, GIT_INDEX_FILE: join(home, 'check-index') };
    await execa('git', ['read-tree', beforeSha], { cwd: workspace, env });
    await execa('git', ['add', '--all'], { cwd: workspace, env });
    const args = ['diff-index', '--cached', '--find-renames', '--no-color', '--no-ext-diff', '--no-textconv'];
    const alone = await execa('git', [...args, '--patch', '--binary', beforeSha, '--'], { cwd: workspace, env, encoding: 'buffer', stripFinalNewline: false });
    const numstat = await execa('git', [...args, '--numstat', beforeSha, '--'], { cwd: workspace, env });
    expect(captured.patch.equals(Buffer.from(alone.stdout))).toBe(true);
    expect(captured.filesChanged).toBe(numstat.stdout.split('\n').length);
    expect(captured.filesChanged).toBe(9);
  });

  it('reads HEAD right when the agent made a file named like the revision capture asks for', async () => {
    await writeFiles(workspace, { 'HEAD^{commit}': 'a file, not a revision\n' });
    await gitIn(workspace, ['add', '--all']);
    await gitIn(workspace, ['commit', '--quiet', '-m', 'odd name']);
    const afterSha = await gitIn(workspace, ['rev-parse', 'HEAD']);
    const captured = await captureChanges(workspace, beforeSha);
    expect(captured).toMatchObject({ afterSha, changes: 'committed', filesChanged: 1 });
  });

  it('counts commits that cancel out as committed with an empty patch', async () => {
    await writeFiles(workspace, { 'tmp.txt': 'x\n' });
    await gitIn(workspace, ['add', '--all']);
    await gitIn(workspace, ['commit', '--quiet', '-m', 'add']);
    await gitIn(workspace, ['rm', '--quiet', 'tmp.txt']);
    await gitIn(workspace, ['commit', '--quiet', '-m', 'remove']);
    const captured = await captureChanges(workspace, beforeSha);
    expect(captured).toMatchObject({ changes: 'committed', filesChanged: 0 });
    expect(captured.patch.length).toBe(0);
  });

  it('runs no fsmonitor, hook, filter or external diff the agent configured', async () => {
    const marker = join(home, 'pwned');
    await gitIn(workspace, ['config', 'core.fsmonitor', `touch '${marker}-fsmonitor'`]);
    // The trap is real: plain git runs it.
    await gitIn(workspace, ['status', '--porcelain']).catch(() => '');
    expect(existsSync(`${marker}-fsmonitor`)).toBe(true);
    await unlink(`${marker}-fsmonitor`);

    const hooks = join(workspace, '.agent-hooks');
    await mkdir(hooks);
    await writeFile(join(hooks, 'post-index-change'), `#!/bin/sh\ntouch '${marker}-hook'\n`, { mode: 0o755 });
    await gitIn(workspace, ['config', 'core.hooksPath', hooks]);
    await gitIn(workspace, ['config', 'filter.pwn.clean', `touch '${marker}-clean'; cat`]);
    await gitIn(workspace, ['config', 'filter.pwn.process', `touch '${marker}-process'`]);
    await gitIn(workspace, ['config', 'diff.external', `touch '${marker}-extdiff'`]);
    await gitIn(workspace, ['config', 'diff.pwn.textconv', `touch '${marker}-textconv'; cat`]);
    await writeFiles(workspace, { '.gitattributes': '* filter=pwn diff=pwn\n', 'README.md': 'changed\n' });

    const captured = await captureChanges(workspace, beforeSha);
    expect(captured.changes).toBe('uncommitted');
    expect(captured.patch.toString('utf8')).toContain('+changed');
    for (const kind of ['fsmonitor', 'hook', 'clean', 'process', 'extdiff', 'textconv']) {
      expect(existsSync(`${marker}-${kind}`), kind).toBe(false);
    }
  });

  it('captures the same whether the files answer where the repository is or git has to', async () => {
    await makeAgentEdits(workspace);
    const read = await captureChanges(workspace, beforeSha);
    // Config git wrote itself (not dispatch's own rendering): the capture asks git instead.
    await gitIn(workspace, ['config', 'user.name', 'The Agent']);
    const asked = await captureChanges(workspace, beforeSha);
    expect(asked).toEqual(read);
    expect(read).toMatchObject({ afterSha: beforeSha, changes: 'uncommitted' });
  });

  it('follows HEAD onto a branch the agent checked out and committed on', async () => {
    await gitIn(workspace, ['switch', '--quiet', '-c', 'agent/work']);
    await writeFiles(workspace, { 'branch.txt': 'on a branch\n' });
    await gitIn(workspace, ['add', 'branch.txt']);
    await gitIn(workspace, ['commit', '--quiet', '-m', 'on a branch']);
    const captured = await captureChanges(workspace, beforeSha);
    expect(captured).toMatchObject({ afterSha: await gitIn(workspace, ['rev-parse', 'HEAD']), changes: 'committed', filesChanged: 1 });
  });

  it('runs no filter the agent defined in its worktree-only config', async () => {
    const marker = join(home, 'pwned');
    await gitIn(workspace, ['config', 'core.repositoryformatversion', '1']);
    await gitIn(workspace, ['config', 'extensions.worktreeConfig', 'true']);
    await gitIn(workspace, ['config', '--worktree', 'core.bare', 'false']);
    await gitIn(workspace, ['config', '--worktree', 'filter.pwn.clean', `touch '${marker}-clean'; cat`]);
    await writeFiles(workspace, { '.gitattributes': '* filter=pwn\n', 'README.md': 'changed\n' });
    // The trap is real: plain git runs it.
    await gitIn(workspace, ['add', '--dry-run', 'README.md']).catch(() => '');
    await gitIn(workspace, ['diff', '--stat']);
    expect(existsSync(`${marker}-clean`)).toBe(true);
    await unlink(`${marker}-clean`);
    const captured = await captureChanges(workspace, beforeSha);
    expect(captured.patch.toString('utf8')).toContain('+changed');
    expect(existsSync(`${marker}-clean`)).toBe(false);
  });

  it('refuses a worktree whose .git file is gone rather than diff the repo around it', async () => {
    await unlink(join(workspace, '.git'));
    const error = await captureChanges(workspace, beforeSha).then(() => undefined, (err: unknown) => err);
    expect(error).toBeInstanceOf(InfraError);
    expect((error as InfraError).message).toMatch(/no longer a git worktree/);
  });

  it('rejects a before sha that is not a commit id', async () => {
    await expect(captureChanges(workspace, '--output=/tmp/x')).rejects.toBeInstanceOf(InfraError);
  });
});
