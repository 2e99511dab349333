import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit } from './git.js';
import { mirrorGitArgs } from './mirror.js';

const DISPATCH_IDENTITY = {
  GIT_AUTHOR_NAME: 'Outpost dispatch',
  GIT_AUTHOR_EMAIL: 'dispatch@outpost.invalid',
  GIT_COMMITTER_NAME: 'Outpost dispatch',
  GIT_COMMITTER_EMAIL: 'dispatch@outpost.invalid',
};

/**
 * Commits a run's diff.patch on top of its base commit as branch `branch` in the mirror,
 * without a worktree (temporary index + commit-tree), so the user can push or check it out.
 * Returns the new commit.
 */
export async function commitPatchAsBranch(opts: {
  mirrorPath: string;
  baseSha: string;
  patchPath: string;
  branch: string;
  message: string;
}): Promise<string> {
  const git = mirrorGitArgs(opts.mirrorPath);
  const tempDir = await mkdtemp(join(tmpdir(), 'outpost-apply-'));
  try {
    const env = { ...DISPATCH_IDENTITY, GIT_INDEX_FILE: join(tempDir, 'index') };
    await runGit([...git, 'read-tree', opts.baseSha], { env });
    await runGit([...git, 'apply', '--cached', '--binary', '--', opts.patchPath], { env });
    const tree = (await runGit([...git, 'write-tree'], { env })).stdout.trim();
    const commit = (await runGit([...git, 'commit-tree', tree, '-p', opts.baseSha, '-m', opts.message], { env })).stdout.trim();
    await runGit([...git, 'update-ref', `refs/heads/${opts.branch}`, commit], { env });
    return commit;
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
