import { dirname, join } from 'node:path';
import { readOwnConfig } from './mirror-config.js';
import { readSmallFile } from './read-small-file.js';
import { readWorktreeLink } from './parked-worktree.js';

/** Where git finds a worktree's repository, and the commit its detached HEAD names. */
export interface DetachedWorktree {
  gitDir: string;
  commonDir: string;
  headSha: string;
}

const DETACHED_HEAD = /^([0-9a-f]{40}(?:[0-9a-f]{24})?)\n$/;

/**
 * What `git rev-parse --show-toplevel --absolute-git-dir --git-common-dir HEAD^{commit}`
 * answers for worktree `root`, read without git, when nothing an agent can change makes it
 * doubtful: `.git` an ordinary link into `<repo>/worktrees/` and back (readWorktreeLink),
 * `<repo>/config` still as dispatch wrote it (no core.worktree, no worktree config), and
 * HEAD detached at `expectedSha`, a commit already known. Null otherwise: git must answer.
 */
export function readDetachedWorktree(root: string, expectedSha: string): DetachedWorktree | null {
  const named = /^gitdir: (.+)\n$/.exec(readSmallFile(join(root, '.git')) ?? '')?.[1];
  if (named === undefined) return null;
  const link = readWorktreeLink(dirname(dirname(named)), root);
  const commonDir = link ? dirname(dirname(link.adminDir)) : '';
  if (!link || !readOwnConfig(commonDir)) return null;
  const head = DETACHED_HEAD.exec(readSmallFile(join(link.adminDir, 'HEAD')) ?? '')?.[1];
  return head === expectedSha ? { gitDir: link.adminDir, commonDir, headSha: head } : null;
}
