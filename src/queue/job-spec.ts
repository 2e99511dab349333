import { UsageError } from '../errors.js';
import type { RunAgentOptions } from '../executors/agent-options.js';
import type { ExecutorName, SandboxMode } from '../executors/types.js';
import type { DispatchRequest } from '../modes/dispatch-task.js';
import { DEFAULT_MAX_WAIT_MS } from '../modes/quota-wait.js';
import type { RunPlan, ShellCommand } from '../modes/run-plan.js';
import { parseWorkspacePool } from '../repos/pool-size.js';
import { parseRepoArg } from '../repos/repo-arg.js';
import type { DispatchHome } from '../runs/home.js';
import type { QueueQuotaWait } from './quota-delay.js';

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
  /** A group's base commit: the worker fetches its own mirror and starts from this commit. */
  baseSha?: string | undefined;
  fallbackOf?: string | undefined;
  /** `--on-quota wait`: a run that hits a usage limit goes back on the queue, delayed until the reset. */
  quotaWait?: QueueQuotaWait | undefined;
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
  const unqueued = agentOptionsNotQueued(request.template.agent);
  if (unqueued.length > 0) {
    throw new UsageError(`${unqueued.join(', ')} ${unqueued.length === 1 ? 'does' : 'do'} not go with --queue yet (a job carries only --instructions and --model)`, 'run it without --queue, or leave the option out (check .dispatch.json and dispatch.config.json too)');
  }
}

/** Agent options a queued job does not carry yet: refused rather than silently dropped. Pure. */
export function agentOptionsNotQueued(agent: RunAgentOptions | undefined): string[] {
  if (!agent) return [];
  const given: Array<[string, boolean]> = [
    ['--reasoning', agent.reasoning !== undefined],
    ['--mcp-config', agent.mcpServers !== undefined],
    ['--output-schema', agent.outputSchema !== undefined],
    ['--codex-arg/--claude-arg', (agent.extraArgs?.codex?.length ?? 0) + (agent.extraArgs?.claude?.length ?? 0) > 0],
    ['--env', Object.keys(agent.env ?? {}).length > 0],
    ['--clean-env', agent.cleanEnv === true],
    ['a model alias', agent.models !== undefined],
  ];
  return given.filter(([, isGiven]) => isGiven).map(([name]) => name);
}

export function jobDataOf(request: DispatchRequest, runId: string, executor: ExecutorName, submittedBy: string): QueueJobData {
  const data = jobDataFromPlan({ ...request.template, executor, mode: 'single', groupId: null }, runId, submittedBy);
  if (request.onQuota === 'wait') data.quotaWait = { maxWaitMs: request.maxWaitMs ?? DEFAULT_MAX_WAIT_MS };
  return data;
}

/** A group member's job: the group's base commit goes along, so every member starts from it. */
export function jobDataFromPlan(plan: Omit<RunPlan, 'bin'>, runId: string, submittedBy: string): QueueJobData {
  return {
    runId,
    executor: plan.executor,
    repo: plan.repo.displayUrl,
    task: plan.task,
    instructions: plan.instructions,
    model: plan.model,
    branch: plan.base?.branch ?? plan.branch,
    baseSha: plan.base?.sha,
    sandbox: plan.sandbox,
    timeoutMs: plan.timeoutMs,
    idleTimeoutMs: plan.idleTimeoutMs,
    graceMs: plan.graceMs,
    fetchTimeoutMs: plan.fetchTimeoutMs,
    outputCapBytes: plan.outputCapBytes,
    labels: { ...plan.labels },
    check: plan.check,
    setup: plan.setup,
    keepWorkspace: plan.keepWorkspace,
    requireChanges: plan.requireChanges,
    mode: plan.mode,
    groupId: plan.groupId,
    fallbackOf: plan.fallbackOf,
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
    // The pool is the worker's disk: its own DISPATCH_WORKSPACE_POOL decides.
    workspacePool: parseWorkspacePool(worker.env.DISPATCH_WORKSPACE_POOL),
    requireChanges: data.requireChanges,
    home: worker.home,
    env: worker.env,
    mode: data.mode,
    groupId: data.groupId,
    check: data.check,
    setup: data.setup,
    fallbackOf: data.fallbackOf,
  };
}
