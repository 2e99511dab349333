import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepoArgError } from '../../src/errors.js';
import { ensureMirror, resolveBaseCommit } from '../../src/repos/mirror.js';
import { parseRepoArg, type RepoSpec } from '../../src/repos/repo-arg.js';
import { createFixtureRepo, makeTempDir, type FixtureRepo } from '../helpers/git-fixtures.js';

// The git commands ensureMirror ran, from git's own trace (GIT_TRACE is inherited by every git call).
let source: FixtureRepo;
let home: string;
let reposDir: string;
let traceFile: string;
let spec: RepoSpec;

beforeEach(async () => {
  source = await createFixtureRepo();
  await source.git(['switch', '--quiet', '-c', 'feature/x']);
  await source.commitFiles({ 'feature.txt': 'feature\n' }, 'feature commit');
  await source.git(['tag', '-a', '-m', 'one', 'v1.0']);
  await source.git(['switch', '--quiet', 'main']);
  home = await makeTempDir('outpost-skip-');
  reposDir = join(home, 'repos');
  traceFile = join(home, 'git-trace.log');
  spec = parseRepoArg(source.path, { cwd: home });
});

afterEach(async () => {
  delete process.env.GIT_TRACE;
  await source.cleanup();
  await rm(home, { recursive: true, force: true });
});

/** ensureMirror with git's trace on; resolves the git built-ins it ran (fetch, ls-remote, …). */
async function ensureTraced(): Promise<{ mirrorPath: string; commands: string[] }> {
  await rm(traceFile, { force: true });
  process.env.GIT_TRACE = traceFile;
  try {
    const { mirrorPath } = await ensureMirror(spec, reposDir);
    const trace = await readFile(traceFile, 'utf8').catch(() => '');
    const commands = [...trace.matchAll(/trace: built-in: git (?:-c \S+ |--git-dir=\S+ )*([a-z-]+)/g)].map((match) => match[1]!);
    return { mirrorPath, commands };
  } finally {
    delete process.env.GIT_TRACE;
  }
}

describe('ensureMirror when the remote has nothing new', () => {
  it('skips the fetch, and the mirror still resolves every branch and tag', async () => {
    const first = await ensureTraced();
    expect(first.commands).toContain('fetch');
    const second = await ensureTraced();
    expect(second.commands).toContain('ls-remote');
    expect(second.commands).not.toContain('fetch');
    expect(await resolveBaseCommit(second.mirrorPath, undefined)).toEqual({ branch: 'main', sha: await source.head() });
    expect((await resolveBaseCommit(second.mirrorPath, 'v1.0')).sha).toBe(await source.git(['rev-parse', 'v1.0^{commit}']));
  });

  it('still fetches a new commit on the default branch', async () => {
    await ensureTraced();
    const newSha = await source.commitFiles({ 'later.txt': 'later\n' }, 'later');
    const { mirrorPath, commands } = await ensureTraced();
    expect(commands).toContain('fetch');
    expect((await resolveBaseCommit(mirrorPath, undefined)).sha).toBe(newSha);
  });

  it('still sees a new branch at an old commit, a moved tag and a deleted branch', async () => {
    const { mirrorPath } = await ensureTraced();
    const mainSha = await source.head();
    await source.git(['branch', 'release', 'feature/x']);
    await source.git(['tag', '-f', '-a', '-m', 'moved', 'v1.0', 'main']);
    await ensureTraced();
    expect((await resolveBaseCommit(mirrorPath, 'release')).sha).toBe(await source.git(['rev-parse', 'feature/x']));
    expect((await resolveBaseCommit(mirrorPath, 'v1.0')).sha).toBe(mainSha);
    await source.git(['branch', '-D', 'release']);
    await ensureTraced();
    await expect(resolveBaseCommit(mirrorPath, 'release')).rejects.toBeInstanceOf(RepoArgError);
  });

  it('follows a changed remote default branch without a fetch', async () => {
    await ensureTraced();
    await source.git(['symbolic-ref', 'HEAD', 'refs/heads/feature/x']);
    const { mirrorPath, commands } = await ensureTraced();
    expect(commands).not.toContain('fetch');
    expect((await resolveBaseCommit(mirrorPath, undefined)).branch).toBe('feature/x');
  });
});
