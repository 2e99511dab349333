import { ensureMirror, mirrorPathOf, resolveBaseCommit } from '../repos/mirror.js';
import { DEFAULT_FETCH_TIMEOUT_MS } from '../repos/network-limits.js';
import { DEFAULT_WORKSPACE_POOL } from '../repos/pool-size.js';
import { startSpeculativeWorktree } from '../repos/speculative-worktree.js';
import { checkoutWorkspace, releaseWorkspace } from '../repos/workspace-pool.js';
import type { RunContext } from './run-context.js';
import type { RunPlan } from './run-plan.js';

type Base = NonNullable<RunPlan['base']>;

/** Fetches the mirror (under its lock) and resolves the base commit: once per run, or once per group. */
export async function fetchBase(plan: Pick<RunPlan, 'repo' | 'home' | 'branch' | 'fetchTimeoutMs'>, signal: AbortSignal | undefined): Promise<Base> {
  const { mirrorPath, warnings, refs } = await ensureMirror(plan.repo, plan.home.reposDir, {}, { timeoutMs: plan.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, signal });
  return { mirrorPath, warnings, ...(await resolveBaseCommit(mirrorPath, plan.branch, refs)) };
}

export interface BaseFetch {
  result: Promise<Base>;
  /** Stops the fetch if it still runs, and waits until it ended. */
  stop(): Promise<void>;
}

/** A single run's fetch, started before its run dir is made: it needs nothing of the run. */
export function startBaseFetch(plan: RunPlan, signal: AbortSignal): BaseFetch {
  const stopper = new AbortController();
  const result = fetchBase(plan, AbortSignal.any([signal, stopper.signal]));
  // Read by the checkout; a run that never gets there drops the failure.
  result.catch(() => undefined);
  return {
    result,
    async stop() {
      stopper.abort();
      await result.catch(() => undefined);
    },
  };
}

/** The run's worktree, checked out as soon as the base commit is known. */
export interface PendingCheckout {
  /** Takes the worktree as the run's (summary: branch, base, warnings) and returns the mirror; rejects as the fetch or the checkout did. */
  adopt(): Promise<string>;
  /**
   * For a run that ends before its agent (no login, cancelled, its home failed): no checkout
   * starts from now on, and one under way is waited for and its worktree given back to the
   * pool (or removed). Nothing once adopted.
   */
  drop(): Promise<void>;
}

/**
 * Starts the checkout of the run's worktree at the base commit (a fresh worktree, or a
 * parked one reset) once the fetch has said which commit that is; meanwhile the run's agent
 * home is prepared. While the fetch runs, a fresh worktree is checked out at the commit the
 * mirror has now (speculative-worktree.ts), and moved if the fetch says otherwise.
 * `checkingOut` is called when the checkout at the base commit starts.
 */
export function startCheckout(ctx: RunContext, checkingOut: () => void): PendingCheckout {
  const pool = ctx.plan.workspacePool ?? DEFAULT_WORKSPACE_POOL;
  let dropped = false;
  let adopted = false;
  let checkout: Promise<Base> | undefined;
  const guessed = ctx.plan.base ? undefined : startSpeculativeWorktree(mirrorPathOf(ctx.plan.repo, ctx.plan.home.reposDir), ctx.paths.workspace, ctx.plan.branch, pool);
  const made = (async (): Promise<Base | undefined> => {
    const base = ctx.plan.base ?? (await (ctx.baseFetch ?? fetchBase(ctx.plan, ctx.hooks.signal)).catch(async (error: unknown) => {
      await guessed?.discard();
      throw error;
    }));
    if (dropped) {
      await guessed?.discard();
      return undefined;
    }
    checkingOut();
    checkout = (async () => {
      if (!(await guessed?.settle(base.sha))) await checkoutWorkspace(base.mirrorPath, ctx.paths.workspace, base.sha, pool);
      return base;
    })();
    return checkout;
  })();
  // Read by adopt(); a run dropped before its checkout ignores what became of the fetch.
  made.catch(() => undefined);
  return {
    async adopt() {
      adopted = true;
      const base = await made;
      if (!base) throw new Error('the checkout was dropped');
      ctx.summary.branch = base.branch;
      ctx.summary.before_sha = base.sha;
      ctx.summary.warnings.push(...(base.warnings ?? []));
      return base.mirrorPath;
    },
    async drop() {
      if (adopted) return;
      dropped = true;
      // Before the base commit is known only the guess can have a worktree; it goes at once.
      if (!checkout) return guessed?.discard();
      const base = await checkout.catch(() => undefined);
      if (base) await releaseWorkspace(base.mirrorPath, ctx.paths.workspace, pool, true).catch(() => undefined);
    },
  };
}
