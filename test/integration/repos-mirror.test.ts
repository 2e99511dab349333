import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InfraError, RepoArgError } from '../../src/errors.js';
import { ensureMirror, resolveBaseCommit } from '../../src/repos/mirror.js';
import { parseRepoArg, type RepoSpec } from '../../src/repos/repo-arg.js';
import { withRepoLock } from '../../src/repos/repo-lock.js';
import { addWorktree, removeWorktree } from '../../src/repos/worktree.js';
import { createFixtureRepo, gitIn, makeTempDir, startGitHttpServer, type FixtureRepo } from '../helpers/git-fixtures.js';

let source: FixtureRepo;
let home: string;
let reposDir: string;

beforeEach(async () => {
  source = await createFixtureRepo();
  await source.git(['switch', '--quiet', '-c', 'feature/x']);
  await source.commitFiles({ 'feature.txt': 'feature\n' }, 'feature commit');
  await source.git(['tag', 'v1.0']);
  await source.git(['switch', '--quiet', 'main']);
  home = await makeTempDir('outpost-home-');
  reposDir = join(home, 'repos');
});

afterEach(async () => {
  await source.cleanup();
  await rm(home, { recursive: true, force: true });
});

function localSpec(): RepoSpec {
  return parseRepoArg(source.path, { cwd: home });
}

async function expectRejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(() => undefined, (err: unknown) => err);
  expect(error).toBeInstanceOf(type);
  return error as T;
}

async function listFilesRecursively(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('ensureMirror', () => {
  it('mirrors a local repository and starts from its default branch', async () => {
    const spec = localSpec();
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    expect(mirrorPath).toBe(join(reposDir, `${spec.slug}.git`));
    expect(await resolveBaseCommit(mirrorPath, undefined)).toEqual({ branch: 'main', sha: await source.head() });
    expect(await gitIn(mirrorPath, ['config', 'remote.origin.url'])).toBe(source.path);
    expect(await gitIn(mirrorPath, ['rev-parse', '--is-bare-repository'])).toBe('true');
  });

  it('mirrors a file:// URL and selects branches and tags', async () => {
    const spec = parseRepoArg(`file://${source.path}`, { cwd: home });
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const featureSha = await source.git(['rev-parse', 'feature/x']);
    expect(await resolveBaseCommit(mirrorPath, 'feature/x')).toEqual({ branch: 'feature/x', sha: featureSha });
    expect(await resolveBaseCommit(mirrorPath, 'refs/heads/feature/x')).toEqual({ branch: 'feature/x', sha: featureSha });
    expect(await resolveBaseCommit(mirrorPath, 'v1.0')).toEqual({ branch: 'v1.0', sha: featureSha });
  });

  it('a second ensureMirror with nothing new hands over its refs: the base commit is the same with and without them', async () => {
    await source.git(['tag', '-a', '-m', 'annotated', 'v2.0', 'feature/x']);
    const spec = localSpec();
    await ensureMirror(spec, reposDir);
    const { mirrorPath, refs } = await ensureMirror(spec, reposDir);
    expect(refs?.headTarget).toBe('refs/remotes/origin/main');
    for (const branch of [undefined, 'main', 'feature/x', 'v1.0', 'v2.0']) {
      expect(await resolveBaseCommit(mirrorPath, branch, refs)).toEqual(await resolveBaseCommit(mirrorPath, branch));
    }
    expect((await resolveBaseCommit(mirrorPath, 'v2.0', refs)).sha).toBe(await source.git(['rev-parse', 'feature/x']));
    await expectRejection(resolveBaseCommit(mirrorPath, 'nope', refs), RepoArgError);
    // After a fetch the refs are not handed over: they were read before it.
    await source.commitFiles({ 'more.txt': 'more\n' }, 'more');
    expect((await ensureMirror(spec, reposDir)).refs).toBeUndefined();
  });

  it('follows a remote default branch that is not main', async () => {
    await source.git(['branch', 'trunk', 'feature/x']);
    await source.git(['symbolic-ref', 'HEAD', 'refs/heads/trunk']);
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    expect((await resolveBaseCommit(mirrorPath, undefined)).branch).toBe('trunk');
  });

  it('reports a missing branch as a user error naming the repository', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const error = await expectRejection(resolveBaseCommit(mirrorPath, 'nope'), RepoArgError);
    expect(error.message).toBe(`branch 'nope' not found in ${source.path}`);
    expect(error.hint).toBe('branches: feature/x, main');
    expect(error.exitCode).toBe(2);
  });

  it('rejects branch names git would read as options or ranges', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    for (const branch of ['--upload-pack=touch x', 'a..b', 'HEAD', '', 'main^{tree}', 'x\ny']) {
      await expectRejection(resolveBaseCommit(mirrorPath, branch), RepoArgError);
    }
  });

  it('picks up new commits and prunes deleted branches on the next call', async () => {
    const spec = localSpec();
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const newSha = await source.commitFiles({ 'later.txt': 'later\n' }, 'later');
    await source.git(['branch', '-D', 'feature/x']);
    await ensureMirror(spec, reposDir);
    expect((await resolveBaseCommit(mirrorPath, 'main')).sha).toBe(newSha);
    await expectRejection(resolveBaseCommit(mirrorPath, 'feature/x'), RepoArgError);
  });

  it('fails with a redacted InfraError when the remote cannot be reached', async () => {
    const port = await findClosedPort();
    const spec = parseRepoArg(`http://bot:s3cret@127.0.0.1:${port}/x.git`, { cwd: home });
    const error = await expectRejection(ensureMirror(spec, reposDir), InfraError);
    expect(error.message).toMatch(new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/x\\.git: `));
    expect(`${error.message} ${error.hint}`).not.toContain('s3cret');
    expect(error.exitCode).toBe(3);
  });

  it('fetches with URL credentials but never writes them to disk', async () => {
    const served = await makeTempDir('outpost-served-');
    await gitIn(served, ['clone', '--quiet', '--bare', source.path, 'team.git']);
    const server = await startGitHttpServer(served, 'bot', 's3cret-token');
    try {
      const spec = parseRepoArg(`${server.baseUrl.replace('http://', 'http://bot:s3cret-token@')}team.git`, { cwd: home });
      const { mirrorPath } = await ensureMirror(spec, reposDir);
      expect((await resolveBaseCommit(mirrorPath, undefined)).sha).toBe(await source.head());
      expect(server.authHeaders.some((h) => h !== undefined)).toBe(true);
      for (const file of await listFilesRecursively(home)) {
        expect((await readFile(file)).includes('s3cret'), file).toBe(false);
      }
      expect(await gitIn(mirrorPath, ['config', 'remote.origin.url'])).toBe(`${server.baseUrl}team.git`);
    } finally {
      await server.close();
      await rm(served, { recursive: true, force: true });
    }
  });

  it('fails at once, without prompting, when the remote wants credentials it was not given', async () => {
    const served = await makeTempDir('outpost-served-');
    await gitIn(served, ['clone', '--quiet', '--bare', source.path, 'team.git']);
    const server = await startGitHttpServer(served, 'bot', 's3cret-token');
    try {
      const spec = parseRepoArg(`${server.baseUrl}team.git`, { cwd: home });
      const error = await expectRejection(ensureMirror(spec, reposDir), InfraError);
      expect(error.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/team\.git: fatal: Authentication failed/);
    } finally {
      await server.close();
      await rm(served, { recursive: true, force: true });
    }
  });

  it('drops config an agent planted in the shared mirror config', async () => {
    const spec = localSpec();
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    await gitIn(mirrorPath, ['config', 'user.name', 'Agent']);
    await gitIn(mirrorPath, ['config', 'core.fsmonitor', 'touch /tmp/outpost-pwned']);
    await gitIn(mirrorPath, ['config', 'url.https://evil.invalid/.insteadOf', source.path]);
    await gitIn(mirrorPath, ['config', 'include.path', '/tmp/outpost-evil-config']);
    await ensureMirror(spec, reposDir);
    const config = await gitIn(mirrorPath, ['config', '--file', join(mirrorPath, 'config'), '--list']);
    expect(config.split('\n').sort()).toEqual([
      'core.bare=true',
      'core.filemode=true',
      'core.repositoryformatversion=0',
      'remote.origin.fetch=+refs/heads/*:refs/remotes/origin/*',
      'remote.origin.fetch=+refs/tags/*:refs/tags/*',
      `remote.origin.url=${source.path}`,
      'user.name=Agent',
    ]);
  });

  it('asks the remote itself when an agent planted an insteadOf that would send ls-remote elsewhere', async () => {
    const spec = localSpec();
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    // The decoy lists exactly what the mirror has: asked instead of the source, it would skip the fetch.
    const decoy = join(home, 'decoy.git');
    await gitIn(home, ['clone', '--quiet', '--mirror', source.path, decoy]);
    const newSha = await source.commitFiles({ 'new.txt': 'new\n' }, 'new on main');
    await gitIn(mirrorPath, ['config', `url.${decoy}.insteadOf`, source.path]);
    const { refs } = await ensureMirror(spec, reposDir);
    expect((await resolveBaseCommit(mirrorPath, 'main', refs)).sha).toBe(newSha);
  });

  it('takes over a stale lock left by a dispatch that died', async () => {
    const spec = localSpec();
    const lockDir = join(reposDir, `${spec.slug}.lock`);
    await mkdir(lockDir, { recursive: true });
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lockDir, longAgo, longAgo);
    const { mirrorPath } = await ensureMirror(spec, reposDir, { timeoutMs: 5_000 });
    expect(existsSync(join(mirrorPath, 'HEAD'))).toBe(true);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('times out on a live lock', async () => {
    const spec = localSpec();
    await withRepoLock(reposDir, spec.slug, async () => {
      const error = await expectRejection(ensureMirror(spec, reposDir, { timeoutMs: 300 }), InfraError);
      expect(error.message).toMatch(/timed out waiting for the repository lock/);
    });
  });

  it('never runs two locked sections of one repository at once', async () => {
    let active = 0;
    let maxActive = 0;
    const section = async (): Promise<void> => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await sleep(100);
      active -= 1;
    };
    await Promise.all([1, 2, 3].map(() => withRepoLock(reposDir, 'same-repo', section)));
    expect(maxActive).toBe(1);
  });
});

describe('concurrent dispatches on one repository', () => {
  it('each get their own worktree, and removal cleans up', async () => {
    const spec = localSpec();
    const dispatch = async (index: number): Promise<{ dir: string; sha: string; mirrorPath: string }> => {
      const { mirrorPath } = await ensureMirror(spec, reposDir);
      const { sha } = await resolveBaseCommit(mirrorPath, undefined);
      // Same basename on purpose: git must pick distinct admin dirs for them.
      const dir = join(home, 'runs', `run-${index}`, 'workspace');
      await addWorktree(mirrorPath, dir, sha);
      return { dir, sha, mirrorPath };
    };
    const runs = await Promise.all([1, 2, 3].map(dispatch));
    const mirrorPath = runs[0]?.mirrorPath ?? '';
    for (const run of runs) {
      expect(await gitIn(run.dir, ['rev-parse', 'HEAD'])).toBe(await source.head());
      expect(await gitIn(run.dir, ['status', '--porcelain'])).toBe('');
      expect(await readFile(join(run.dir, 'README.md'), 'utf8')).toBe('# fixture\n\nline two\n');
    }
    const listed = await gitIn(mirrorPath, ['worktree', 'list', '--porcelain']);
    expect(listed.match(/^worktree /gm)).toHaveLength(4);
    await Promise.all(runs.map((run) => removeWorktree(mirrorPath, run.dir)));
    expect(runs.some((run) => existsSync(run.dir))).toBe(false);
    expect((await gitIn(mirrorPath, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
  });

  it('adds many worktrees at once while others are removed and pruned: each is whole and its own', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const { sha } = await resolveBaseCommit(mirrorPath, undefined);
    // Finished runs whose workspace dirs are gone: removing them prunes while the adds run.
    const finished = [1, 2, 3, 4].map((index) => join(home, 'runs', `old-${index}`, 'workspace'));
    for (const dir of finished) await addWorktree(mirrorPath, dir, sha);
    for (const dir of finished) await rm(dir, { recursive: true, force: true });
    const dirs = Array.from({ length: 12 }, (_, index) => join(home, 'runs', `run-${index}`, 'workspace'));
    await Promise.all([...dirs.map((dir) => addWorktree(mirrorPath, dir, sha)), ...finished.map((dir) => removeWorktree(mirrorPath, dir))]);
    const gitDirs = new Set<string>();
    for (const dir of dirs) {
      expect(await gitIn(dir, ['rev-parse', 'HEAD'])).toBe(sha);
      expect(await gitIn(dir, ['status', '--porcelain'])).toBe('');
      gitDirs.add(await gitIn(dir, ['rev-parse', '--absolute-git-dir']));
    }
    expect(gitDirs.size).toBe(12);
    const listed = (await gitIn(mirrorPath, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm);
    expect(listed).toHaveLength(13);
    await Promise.all(dirs.map((dir) => removeWorktree(mirrorPath, dir)));
    expect((await gitIn(mirrorPath, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
  });

  it('registers a worktree as git worktree add does: same files, real paths, and git can list, lock and remove it', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const { sha } = await resolveBaseCommit(mirrorPath, undefined);
    // Reached through a symlink: git records real paths, and so must we.
    await symlink(home, join(home, 'via-link'));
    const linkedMirror = join(home, 'via-link', 'repos', basename(mirrorPath));
    const ours = join(home, 'via-link', 'runs', 'run-ours', 'workspace');
    const gits = join(home, 'via-link', 'runs', 'run-git', 'workspace');
    await mkdir(dirname(ours), { recursive: true });
    await mkdir(dirname(gits), { recursive: true });
    await addWorktree(linkedMirror, ours, sha);
    await gitIn(mirrorPath, ['worktree', 'add', '--quiet', '--no-checkout', '--detach', gits, sha]);
    const adminOf = async (dir: string) => (await readFile(join(dir, '.git'), 'utf8')).replace(/^gitdir: /, '').trim();
    const [ourAdmin, gitAdmin] = [await adminOf(ours), await adminOf(gits)];
    expect(dirname(ourAdmin)).toBe(join(await realpath(mirrorPath), 'worktrees'));
    expect(dirname(gitAdmin)).toBe(dirname(ourAdmin));
    for (const [admin, dir] of [[ourAdmin, ours], [gitAdmin, gits]] as const) {
      expect(await readFile(join(admin, 'gitdir'), 'utf8')).toBe(`${join(await realpath(dirname(dir)), 'workspace', '.git')}\n`);
      expect(await readFile(join(admin, 'commondir'), 'utf8')).toBe('../..\n');
      expect((await readFile(join(admin, 'HEAD'), 'utf8')).trim()).toBe(sha);
    }
    expect(await readdir(mirrorPath)).not.toContainEqual(expect.stringMatching(/^\.new-worktree-/));
    const listed = await gitIn(mirrorPath, ['worktree', 'list', '--porcelain']);
    expect(listed).toContain(`worktree ${await realpath(ours)}\nHEAD ${sha}\ndetached\n`);
    expect(await gitIn(ours, ['status', '--porcelain'])).toBe('');
    await gitIn(mirrorPath, ['worktree', 'lock', ours]);
    await gitIn(mirrorPath, ['worktree', 'unlock', ours]);
    await removeWorktree(mirrorPath, ours);
    expect(existsSync(ours)).toBe(false);
    expect(await gitIn(mirrorPath, ['worktree', 'list', '--porcelain'])).not.toContain('run-ours');
  });

  it('adds a worktree again at a path whose earlier worktree was moved away (a retried run)', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const { sha } = await resolveBaseCommit(mirrorPath, undefined);
    const dir = join(home, 'runs', 'run-again', 'workspace');
    await addWorktree(mirrorPath, dir, sha);
    await rename(dirname(dir), join(home, 'runs', 'run-again.set-aside'));
    await mkdir(dirname(dir));
    await addWorktree(mirrorPath, dir, sha);
    expect(await gitIn(dir, ['status', '--porcelain'])).toBe('');
    expect(await gitIn(dir, ['rev-parse', 'HEAD'])).toBe(sha);
    await removeWorktree(mirrorPath, dir);
    expect(existsSync(dir)).toBe(false);
  });

  it('removes a worktree the agent left dirty, or already deleted', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const { sha } = await resolveBaseCommit(mirrorPath, undefined);
    const dirty = join(home, 'dirty');
    const gone = join(home, 'gone');
    await addWorktree(mirrorPath, dirty, sha);
    await addWorktree(mirrorPath, gone, sha);
    await writeFile(join(dirty, 'README.md'), 'changed\n');
    await writeFile(join(dirty, 'untracked.txt'), 'new\n');
    await rm(gone, { recursive: true, force: true });
    await removeWorktree(mirrorPath, dirty);
    await removeWorktree(mirrorPath, gone);
    expect(existsSync(dirty)).toBe(false);
    expect((await gitIn(mirrorPath, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
  });

  it('refuses a directory that already has files', async () => {
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const { sha } = await resolveBaseCommit(mirrorPath, undefined);
    const dir = join(home, 'taken');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'mine\n');
    const error = await expectRejection(addWorktree(mirrorPath, dir, sha), InfraError);
    expect(error.message).toMatch(/^git worktree failed \(exit 128\): fatal: .*already exists/);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine\n');
  });

  it('runs no hook or smudge filter planted in the mirror during checkout', async () => {
    await source.commitFiles({ '.gitattributes': '*.txt filter=pwn\n' }, 'attributes');
    const { mirrorPath } = await ensureMirror(localSpec(), reposDir);
    const { sha } = await resolveBaseCommit(mirrorPath, undefined);
    const marker = join(home, 'pwned');
    const hooks = join(home, 'hooks');
    await mkdir(hooks);
    for (const dir of [hooks, join(mirrorPath, 'hooks')]) {
      await writeFile(join(dir, 'post-checkout'), `#!/bin/sh\ntouch '${marker}-hook'\n`);
      await chmod(join(dir, 'post-checkout'), 0o755);
    }
    await gitIn(mirrorPath, ['config', 'core.hooksPath', hooks]);
    await gitIn(mirrorPath, ['config', 'filter.pwn.smudge', `touch '${marker}-smudge'; cat`]);
    await gitIn(mirrorPath, ['config', 'filter.pwn.process', `touch '${marker}-process'`]);
    const dir = join(home, 'checked-out');
    await addWorktree(mirrorPath, dir, sha);
    expect(await readFile(join(dir, 'src/old.txt'), 'utf8')).toBe('to be deleted\n');
    expect((await readdir(home)).filter((name) => name.startsWith('pwned'))).toEqual([]);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });
});

async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 9;
}
