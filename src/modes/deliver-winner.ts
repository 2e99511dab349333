import { join } from 'node:path';
import { commitPatchAsBranch } from '../repos/apply-branch.js';
import { DEFAULT_FETCH_TIMEOUT_MS } from '../repos/network-limits.js';
import { copyBranchToLocalRepo, pushBranch, resolvePushTarget, type PushTarget } from '../repos/deliver-branch.js';
import { ghRepoOf, openPullRequest } from '../repos/pull-request.js';
import { pullRequestTitle, renderPullRequestBody } from '../report/pr-body.js';
import { REPORT_FILE } from '../report/html/report-file.js';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { createRedactor } from '../runs/redact.js';
import type { RunResult } from './execute-run.js';
import type { GroupState } from './run-group.js';

/** What to do with a group's winner: a branch (--apply), pushed (--push), a pull request (--pr, with gh's path). */
export interface DeliveryPlan {
  apply: boolean;
  push: boolean;
  pr: { gh: string } | null;
}

/**
 * Delivers the winner where people review code: commits its diff on `dispatch/<group-id>`
 * (in the user's own repository when the repo argument is a local path, else in the
 * mirror), pushes that branch to the repo's origin, opens a pull request with gh. Each
 * step needs the one before; a failure is recorded (apply_error / delivery_error) and
 * stops the later steps, and the runs' results stay as they are.
 */
export async function deliverWinner(state: GroupState, winner: RunResult, delivery: DeliveryPlan): Promise<void> {
  const { record, plan } = state;
  const { summary } = winner;
  if (!summary.before_sha || summary.changes === 'none') return;
  const repo = plan.template.repo;
  const mirrorPath = join(plan.template.home.reposDir, `${repo.slug}.git`);
  const branch = `dispatch/${record.group_id}`;
  try {
    await commitPatchAsBranch({
      mirrorPath,
      baseSha: summary.before_sha,
      patchPath: join(winner.runDir, 'diff.patch'),
      branch,
      message: `${pullRequestTitle(record.task)}\n\nWinner of dispatch group ${record.group_id} (run ${winner.runId}, ${summary.executor}).`,
    });
    if (repo.kind === 'local') await copyBranchToLocalRepo(mirrorPath, repo.url, branch);
    record.applied_branch = branch;
    record.applied_in = repo.kind === 'local' ? repo.url : mirrorPath;
  } catch (error) {
    record.apply_error = `--apply failed: ${(error as Error).message}`;
    return;
  }
  if (!delivery.push && !delivery.pr) return;
  let target: PushTarget;
  try {
    target = await resolvePushTarget(repo, mirrorPath);
    await pushBranch(target, branch, { timeoutMs: plan.template.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, signal: state.hooks.signal });
    record.pushed_to = target.displayUrl;
  } catch (error) {
    record.delivery_error = `--push failed: ${(error as Error).message}`;
    return;
  }
  if (!delivery.pr) return;
  try {
    const bodyFile = join(state.dir, 'pr-body.md');
    // The task and the final messages are the user's and the agents' words: redacted like every run file.
    await writeFileAtomically(bodyFile, createRedactor(plan.template.env)(renderPullRequestBody(record, summary, join(state.dir, REPORT_FILE))));
    record.pr_url = await openPullRequest({
      gh: delivery.pr.gh,
      cwd: repo.kind === 'local' ? repo.url : state.dir,
      repo: ghRepoOf(target.displayUrl),
      head: branch,
      base: summary.branch ?? 'main',
      title: pullRequestTitle(record.task),
      bodyFile,
      env: plan.template.env,
    });
  } catch (error) {
    record.delivery_error = `--pr failed: ${(error as Error).message}`;
  }
}
