import { existsSync } from 'node:fs';
import { readMirrorTip } from './mirror-tip.js';
import { readWorktreeLink } from './parked-worktree.js';
import { listParked } from './workspace-pool.js';
import { addWorktree, moveNewWorktree, removeWorktree } from './worktree.js';

/**
 * A worktree checked out at the commit the mirror's branch names now, while the fetch finds
 * out which commit the run starts from: most often the same one, so the run's checkout is
 * done by the time the fetch is.
 */
export interface SpeculativeWorktree {
  /**
   * Makes `dir` exactly the checkout of `sha` that addWorktree would make: taken as it is
   * when the guess was right, moved to sha when the fetch brought a newer commit. False, with
   * nothing left at `dir`, when it cannot be trusted (its checkout failed, the fetch's repair
   * replaced the mirror it belongs to): the caller checks out as usual then.
   */
  settle(sha: string): Promise<boolean>;
  /** Removes the worktree, once it is made (a run that ended before its checkout). Never after settle. */
  discard(): Promise<void>;
}

/**
 * Starts checking out worktree `dir` of the mirror at its current tip of `branch` (the
 * default branch when undefined). Undefined, and nothing started, when the mirror's files do
 * not name that tip plainly, or when the run would reuse a parked worktree instead (taking
 * one waits for the mirror lock the fetch holds).
 */
export function startSpeculativeWorktree(mirrorPath: string, dir: string, branch: string | undefined, poolSize: number): SpeculativeWorktree | undefined {
  if (poolSize > 0 && listParked(mirrorPath).length > 0) return undefined;
  const guess = readMirrorTip(mirrorPath, branch);
  if (guess === undefined) return undefined;
  // addWorktree removes what it made when it fails; whatever is left is removed here.
  const made = addWorktree(mirrorPath, dir, guess).then(
    () => true,
    () => false,
  );
  const remove = async () => {
    if (existsSync(dir)) await removeWorktree(mirrorPath, dir);
  };
  let discarded: Promise<void> | undefined;
  return {
    async settle(sha) {
      try {
        // The link is checked again: a repair that moved the mirror aside took the admin dir with it.
        if (!(await made) || !readWorktreeLink(mirrorPath, dir)) throw new Error('not to be trusted');
        if (sha !== guess) await moveNewWorktree(mirrorPath, dir, sha);
        return true;
      } catch {
        // One that cannot be removed is found by the checkout that follows (its dir exists).
        await remove().catch(() => undefined);
        return false;
      }
    },
    discard() {
      discarded ??= made.then(remove).catch(() => undefined);
      return discarded;
    },
  };
}
