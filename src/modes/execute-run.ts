import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DispatchError } from '../errors.js';
import type { TimedEvent } from '../events.js';
import { probeCliVersion, type CliVersionInfo } from '../executors/cli-version.js';
import { getExecutor } from '../executors/registry.js';
import type { Executor, Invocation } from '../executors/types.js';
import type { AgentProcessResult } from '../process/agent-process.js';
import { captureChanges } from '../repos/capture-diff.js';
import { ensureMirror, resolveBaseCommit } from '../repos/mirror.js';
import { redactCredentials } from '../repos/repo-arg.js';
import { addWorktree, removeWorktree } from '../repos/worktree.js';
import { openEventLog, type EventLog } from '../runs/event-log.js';
import { openOutputLog, type OutputLog } from '../runs/output-log.js';
import { decideOutcome, exitCodeForOutcome } from '../runs/outcome.js';
import { createRedactor, type Redactor } from '../runs/redact.js';
import { createRunId } from '../runs/run-id.js';
import {
  createRunDir,
  renderTaskFile,
  runPaths,
  writeDiffPatch,
  writeLastMessage,
  writeSummary,
  writeTaskFile,
  type RunPaths,
} from '../runs/run-dir.js';
import { createRunState, finalMessageOf, type RunState } from '../runs/run-state.js';
import { statusForOutcome, type RunSummary } from '../runs/summary.js';
import { createRunningSummary } from '../runs/summary-init.js';
import { runAgentSession } from './agent-session.js';
import type { RunHooks, RunPlan } from './run-plan.js';

export interface RunResult {
  runId: string;
  runDir: string;
  summary: RunSummary;
  exitCode: number;
}

interface RunContext {
  plan: RunPlan;
  hooks: RunHooks;
  executor: Executor;
  paths: RunPaths;
  summary: RunSummary;
  state: RunState;
  redact: Redactor;
  eventLog: EventLog;
  outputLog: OutputLog;
  now: () => Date;
}

/** Runs one agent on one task in a fresh worktree and leaves a complete run directory. */
export async function executeRun(plan: RunPlan, hooks: RunHooks = {}): Promise<RunResult> {
  const now = hooks.now ?? (() => new Date());
  const started = now();
  const executor = getExecutor(plan.executor);
  const runId = createRunId(plan.executor, started);
  const paths = runPaths(plan.home.runsDir, runId);
  await createRunDir(paths);
  const redact = createRedactor(plan.env);
  const ctx: RunContext = {
    plan,
    hooks,
    executor,
    paths,
    redact,
    now,
    state: createRunState(),
    eventLog: openEventLog(paths.events, redact),
    outputLog: openOutputLog(paths.outputLog, redact),
    summary: createRunningSummary({
      runId,
      groupId: plan.groupId,
      repo: plan.repo.name,
      repoUrl: plan.repo.displayUrl,
      branch: plan.branch ?? null,
      executor: plan.executor,
      model: plan.model ?? null,
      mode: plan.mode,
      started,
      sandbox: plan.sandbox,
      labels: plan.labels,
      parentRunId: plan.parentRunId ?? null,
      fallbackOf: plan.fallbackOf ?? null,
    }),
  };
  await writeTaskFile(paths, renderTaskFile(plan.task, plan.instructions));
  await writeSummary(paths, ctx.summary);
  hooks.onRunCreated?.(runId, paths.dir);
  emit(ctx, { type: 'run.started', run_id: runId, executor: plan.executor, argv: [] });
  try {
    await runPhases(ctx);
  } catch (error) {
    await finishWithError(ctx, error);
  } finally {
    await ctx.eventLog.close();
    await ctx.outputLog.close();
  }
  return {
    runId,
    runDir: paths.dir,
    summary: ctx.summary,
    exitCode: exitCodeForOutcome(ctx.summary.outcome ?? 'infra', { requireChanges: plan.requireChanges }),
  };
}

function emit(ctx: RunContext, event: Parameters<EventLog['append']>[0]): TimedEvent {
  const timed = ctx.eventLog.append(event, ctx.now());
  ctx.hooks.onEvent?.(ctx.summary.run_id, timed);
  return timed;
}

async function runPhases(ctx: RunContext): Promise<void> {
  const { plan, executor, paths, summary } = ctx;
  await executor.prepareHome(paths.agentHome, plan.env);
  const auth = executor.checkAuth(paths.agentHome, plan.env);
  if (!auth.ok) {
    await finish(ctx, { kind: 'auth', message: auth.detail }, null);
    return;
  }
  if (isCancelled(ctx)) return finish(ctx, null, null);

  const versionProbe = probeCliVersion(executor, plan.bin, executor.buildInvocation(invocationRequest(ctx)).env);
  const { mirrorPath } = await ensureMirror(plan.repo, plan.home.reposDir);
  const base = await resolveBaseCommit(mirrorPath, plan.branch);
  await addWorktree(mirrorPath, paths.workspace, base.sha);
  summary.branch = base.branch;
  summary.before_sha = base.sha;
  summary.workspace = paths.workspace;
  recordVersion(ctx, await versionProbe);
  if (isCancelled(ctx)) return finish(ctx, null, null, mirrorPath);

  const invocation = executor.buildInvocation(invocationRequest(ctx));
  summary.agent.argv = redactArgv(invocation, ctx.redact);
  await writeSummary(paths, summary);

  const result = await runAgentSession({
    executor,
    invocation,
    prompt: plan.task,
    outputLog: ctx.outputLog,
    eventLog: ctx.eventLog,
    state: ctx.state,
    timeoutMs: plan.timeoutMs,
    idleTimeoutMs: plan.idleTimeoutMs,
    graceMs: plan.graceMs,
    signal: ctx.hooks.signal,
    onStart: (pgid) => {
      summary.agent_pgid = pgid ?? null;
      void writeSummary(paths, summary).catch(() => undefined);
    },
    onEvent: (event) => ctx.hooks.onEvent?.(summary.run_id, event),
  });
  await finish(ctx, null, result, mirrorPath);
}

function invocationRequest(ctx: RunContext) {
  return {
    bin: ctx.plan.bin,
    worktree: ctx.paths.workspace,
    runDir: ctx.paths.dir,
    agentHome: ctx.paths.agentHome,
    sandbox: ctx.plan.sandbox,
    model: ctx.plan.model,
    instructions: ctx.plan.instructions,
    baseEnv: ctx.plan.env,
  };
}

function isCancelled(ctx: RunContext): boolean {
  return ctx.hooks.signal?.aborted === true;
}

function recordVersion(ctx: RunContext, info: CliVersionInfo): void {
  ctx.summary.agent.cli = ctx.executor.binName;
  ctx.summary.agent.version = info.version;
  ctx.summary.agent.tested_version = info.tested;
  if (info.warning) ctx.summary.warnings.push(info.warning);
}

function redactArgv(invocation: Invocation, redact: Redactor): string[] {
  return [invocation.file, ...invocation.args].map((arg) => redact(arg));
}

/** Captures the workspace, decides the outcome and writes the final files. */
async function finish(
  ctx: RunContext,
  preError: { kind: string; message: string } | null,
  result: AgentProcessResult | null,
  mirrorPath?: string,
): Promise<void> {
  const { summary, paths, state, plan } = ctx;
  const lastMessageFile = ctx.executor.lastMessageFile
    ? await readOptional(join(paths.agentHome, ctx.executor.lastMessageFile))
    : null;
  const finalMessage = finalMessageOf(state, lastMessageFile);
  if (finalMessage !== null) await writeLastMessage(paths, ctx.redact(finalMessage));

  if (summary.before_sha !== null) {
    const captured = await captureChanges(paths.workspace, summary.before_sha);
    await writeDiffPatch(paths, captured.patch);
    summary.after_sha = captured.afterSha;
    summary.changes = captured.changes;
    summary.files_changed = captured.filesChanged;
    summary.insertions = captured.insertions;
    summary.deletions = captured.deletions;
  }
  if (!plan.keepWorkspace && mirrorPath && summary.workspace) {
    await removeWorktree(mirrorPath, paths.workspace);
    summary.workspace = null;
  }

  const cancelled = result === null && preError === null && isCancelled(ctx);
  const outcome = preError
    ? preError.kind === 'auth' ? 'auth' : 'infra'
    : decideOutcome({
        stoppedBy: cancelled ? 'cancel' : (result?.stoppedBy ?? null),
        infraError: result?.spawnError != null,
        exitCode: result?.exitCode ?? null,
        errorKind: state.errorKind,
        turnFailed: state.turnFailed,
        finalMessage,
        changes: summary.changes,
        checkPassed: null,
      });
  const completed = ctx.now();
  Object.assign(summary, {
    completed: completed.toISOString(),
    duration_ms: completed.getTime() - Date.parse(summary.started),
    status: statusForOutcome(outcome),
    outcome,
    exit_code: result?.exitCode ?? null,
    signal: result?.signal ?? null,
    session_id: state.sessionId,
    final_message: finalMessage === null ? null : ctx.redact(finalMessage),
    usage: state.usage,
    cost_usd: state.costUsd,
    unknown_events: state.unknownEvents,
    agent_pgid: null,
    error: describeError(outcome, preError, result, state, plan),
  } satisfies Partial<RunSummary>);
  if (state.model && !summary.model) summary.model = state.model;
  if (state.structuredOutput !== undefined) summary.structured_output = state.structuredOutput;
  await writeSummary(paths, summary);
  emit(ctx, { type: 'run.finished', status: summary.status, outcome, exit_code: summary.exit_code });
}

function describeError(
  outcome: RunSummary['outcome'],
  preError: { kind: string; message: string } | null,
  result: AgentProcessResult | null,
  state: RunState,
  plan: RunPlan,
): RunSummary['error'] {
  if (preError) return preError;
  switch (outcome) {
    case 'success':
    case 'no_changes':
      return null;
    case 'timeout':
      return { kind: 'timeout', message: `the run exceeded --timeout (${plan.timeoutMs} ms); the agent was stopped` };
    case 'idle_timeout':
      return { kind: 'idle_timeout', message: `no output for ${plan.idleTimeoutMs} ms (--idle-timeout); the agent was stopped` };
    case 'cancelled':
      return { kind: 'cancelled', message: 'the run was cancelled' };
    case 'empty_result':
      return { kind: 'empty_result', message: 'the agent exited 0 with no final message and no changes' };
    default:
      break;
  }
  if (result?.spawnError) return { kind: 'infra', message: result.spawnError };
  const message = state.errorMessage ?? `the agent exited with code ${result?.exitCode ?? 'unknown'}${result?.signal ? ` (${result.signal})` : ''}`;
  return { kind: outcome ?? 'agent_error', message };
}

async function finishWithError(ctx: RunContext, error: unknown): Promise<void> {
  const message = error instanceof DispatchError ? error.message : String((error as Error)?.message ?? error);
  const kind = error instanceof DispatchError && error.code === 'auth' ? 'auth' : 'infra';
  try {
    await finish(ctx, { kind, message: redactCredentials(ctx.redact(message)) }, null);
  } catch {
    // The workspace itself is broken: still leave an honest summary.
    Object.assign(ctx.summary, {
      completed: ctx.now().toISOString(),
      status: 'failed',
      outcome: 'infra',
      error: { kind, message: redactCredentials(ctx.redact(message)) },
    });
    await writeSummary(ctx.paths, ctx.summary);
  }
  if (!(error instanceof DispatchError)) throw error;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}
