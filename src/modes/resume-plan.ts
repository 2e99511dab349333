import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { requireBinary } from '../executors/find-binary.js';
import { getExecutor, isExecutorName } from '../executors/registry.js';
import type { SandboxMode } from '../executors/types.js';
import type { RunSummary } from '../runs/summary.js';
import type { RunTemplate } from './group-plan.js';
import type { RunPlan } from './run-plan.js';

/** The default follow-up when `dispatch resume` is given none. */
export const DEFAULT_FOLLOW_UP = 'Continue where you left off, and finish the task.';

/**
 * Plans a run that continues `parent`'s own agent session in the parent's workspace, with
 * the parent's agent home (codex `exec resume <thread>`, claude `--resume <session>`).
 */
export function planResume(
  parent: RunSummary,
  followUp: string,
  template: Pick<RunTemplate, 'timeoutMs' | 'idleTimeoutMs' | 'graceMs' | 'outputCapBytes' | 'home' | 'env' | 'requireChanges'>
    & Partial<Pick<RunTemplate, 'instructions' | 'model' | 'agent'>>,
): RunPlan {
  if (parent.status === 'running') throw new UsageError(`run ${parent.run_id} is still running`, 'wait for it, or `dispatch cancel` it first');
  if (!parent.session_id) {
    throw new UsageError(`run ${parent.run_id} has no agent session to resume`, 'it ended before the agent started; dispatch the task again');
  }
  if (!parent.workspace || !existsSync(parent.workspace) || !parent.before_sha || !parent.after_sha) {
    throw new UsageError(`the workspace of run ${parent.run_id} is gone`, 'it was pruned or never created; dispatch the task again');
  }
  if (!isExecutorName(parent.executor)) throw new UsageError(`run ${parent.run_id} used an unknown executor '${parent.executor}'`);
  const executor = getExecutor(parent.executor);
  // The workspace lives in the first run's directory beside that run's agent home; every
  // resume in the chain continues with both.
  const agentHome = join(dirname(parent.workspace), 'agent-home');
  return {
    ...template,
    executor: parent.executor,
    bin: requireBinary(executor, template.env),
    repo: { kind: 'url', url: parent.repo_url, displayUrl: parent.repo_url, slug: '', name: parent.repo },
    task: followUp,
    model: template.model ?? parent.model ?? undefined,
    branch: parent.branch ?? undefined,
    sandbox: parent.sandbox as SandboxMode,
    labels: parent.labels,
    keepWorkspace: true,
    mode: 'resume',
    groupId: null,
    resume: {
      parentRunId: parent.run_id,
      sessionId: parent.session_id,
      workspace: parent.workspace,
      agentHome,
      baseSha: parent.before_sha,
      parentSha: parent.after_sha,
      parentTree: parent.after_tree ?? parent.after_sha,
      baselineTree: parent.baseline_tree ?? undefined,
    },
  };
}
