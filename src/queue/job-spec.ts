import { UsageError } from '../errors.js';
import type { ExecutorName, SandboxMode } from '../executors/types.js';
import type { DispatchRequest } from '../modes/dispatch-task.js';
import type { RunPlan, ShellCommand } from '../modes/run-plan.js';
import { parseRepoArg } from '../repos/repo-arg.js';
import type { DispatchHome } from '../runs/home.js';

/**
 * What one queued run carries to a worker: the task and its settings, never the submitter's
 * environment (a worker runs with its own logins) nor a credential in the repo URL (the
 * worker's git credentials fetch it).
 */
export interface QueueJobData {
  runId: string;
  executor: ExecutorName;
  repo: string;
  task: string;
  instructions?: string | undefined;
  model?: string | undefined;
  branch?: string | undefined;
  sandbox: SandboxMode;
  timeoutMs: number;
  idleTimeoutMs: number;
  graceMs: number;
  fetchTimeoutMs?: number | undefined;
  outputCapBytes: number;
  labels: Record<string, string>;
  check?: ShellCommand | undefined;
  setup?: ShellCommand | undefined;
  keepWorkspace: boolean;
  requireChanges: boolean;
  mode: string;
  groupId: string | null;
  submittedBy: string;
}

/** What a worker returns for a job: which attempt's results the submitter collects. */
export interface QueueJobResult {
  attempt: string;
  status: string;
  exitCode: number;
}

/** Flags that only make sense on the submitter's machine are refused before anything is queued. */
export function rejectLocalOnlyFlags(request: DispatchRequest): void {
  if ((request.template.copy?.length ?? 0) > 0) throw new UsageError('--copy does not go with --queue', "the files are on this machine, not the worker's; commit them or use --setup");
  if (request.apply || request.push || request.pr) throw new UsageError('--apply/--push/--pr do not go with --queue yet', 'apply the collected diff.patch: git apply runs/<run-id>/diff.patch');
  if (request.onFinish) throw new UsageError('--on-finish does not go with --queue yet', 'run your command on runs/<run-id>/summary.json after the job');
}

export function jobDataOf(request: DispatchRequest, runId: string, executor: ExecutorName, submittedBy: string): QueueJobData {
  const t = request.template;
  return {
    runId,
    executor,
    repo: t.repo.displayUrl,
    task: t.task,
    instructions: t.instructions,
    model: t.model,
    branch: t.branch,
    sandbox: t.sandbox,
    timeoutMs: t.timeoutMs,
    idleTimeoutMs: t.idleTimeoutMs,
    graceMs: t.graceMs,
    fetchTimeoutMs: t.fetchTimeoutMs,
    outputCapBytes: t.outputCapBytes,
    labels: { ...t.labels },
    check: t.check,
    setup: t.setup,
    keepWorkspace: t.keepWorkspace,
    requireChanges: t.requireChanges,
    mode: 'single',
    groupId: null,
    submittedBy,
  };
}

/** The worker's side: the same RunPlan a local run gets, with the worker's home, env and binary. */
export function runPlanOf(data: QueueJobData, worker: { home: DispatchHome; env: NodeJS.ProcessEnv; bin: string }): RunPlan {
  return {
    runId: data.runId,
    executor: data.executor,
    bin: worker.bin,
    repo: parseRepoArg(data.repo, { remoteBase: undefined, cwd: '/' }),
    task: data.task,
    instructions: data.instructions,
    model: data.model,
    branch: data.branch,
    sandbox: data.sandbox,
    timeoutMs: data.timeoutMs,
    idleTimeoutMs: data.idleTimeoutMs,
    graceMs: data.graceMs,
    fetchTimeoutMs: data.fetchTimeoutMs,
    outputCapBytes: data.outputCapBytes,
    labels: data.labels,
    keepWorkspace: data.keepWorkspace,
    requireChanges: data.requireChanges,
    home: worker.home,
    env: worker.env,
    mode: data.mode,
    groupId: data.groupId,
    check: data.check,
    setup: data.setup,
  };
}
