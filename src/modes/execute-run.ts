import { probeCliVersion, type CliVersionInfo } from '../executors/cli-version.js';
import { getExecutor } from '../executors/registry.js';
import type { Invocation, InvocationRequest } from '../executors/types.js';
import { ensureMirror, resolveBaseCommit } from '../repos/mirror.js';
import { addWorktree } from '../repos/worktree.js';
import { openEventLog } from '../runs/event-log.js';
import { openOutputLog } from '../runs/output-log.js';
import { exitCodeForOutcome } from '../runs/outcome.js';
import { createRedactor, type Redactor } from '../runs/redact.js';
import { createRunId } from '../runs/run-id.js';
import { createRunDir, renderTaskFile, runPaths, writeSummary, writeTaskFile } from '../runs/run-dir.js';
import { createRunState } from '../runs/run-state.js';
import type { RunSummary } from '../runs/summary.js';
import { createRunningSummary } from '../runs/summary-init.js';
import { runAgentSession } from './agent-session.js';
import { finishRun, finishRunWithError } from './finish-run.js';
import { prepareWorkspace } from './prepare-workspace.js';
import type { RunContext } from './run-context.js';
import type { RunHooks, RunPlan } from './run-plan.js';

export interface RunResult {
  runId: string;
  runDir: string;
  summary: RunSummary;
  exitCode: number;
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
    emit(event) {
      const timed = ctx.eventLog.append(event, now());
      hooks.onEvent?.(runId, timed);
      return timed;
    },
    isCancelled: () => hooks.signal?.aborted === true,
    eventLog: openEventLog(paths.events, redact),
    outputLog: openOutputLog(paths.outputLog, redact, plan.outputCapBytes),
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
  ctx.emit({ type: 'run.started', run_id: runId, executor: plan.executor, argv: [] });
  try {
    await runPhases(ctx);
  } catch (error) {
    await finishRunWithError(ctx, error);
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

async function runPhases(ctx: RunContext): Promise<void> {
  const { plan, executor, paths, summary } = ctx;
  await executor.prepareHome(paths.agentHome, plan.env);
  const auth = executor.checkAuth(paths.agentHome, plan.env);
  if (!auth.ok) {
    await finishRun(ctx, { kind: 'auth', message: auth.detail }, null);
    return;
  }
  if (ctx.isCancelled()) return finishRun(ctx, null, null);

  const versionProbe = probeCliVersion(executor, plan.bin, executor.buildInvocation(invocationRequest(ctx)).env, paths.agentHome);
  const { mirrorPath } = await ensureMirror(plan.repo, plan.home.reposDir);
  const base = await resolveBaseCommit(mirrorPath, plan.branch);
  await addWorktree(mirrorPath, paths.workspace, base.sha);
  summary.branch = base.branch;
  summary.before_sha = base.sha;
  summary.workspace = paths.workspace;
  recordVersion(ctx, await versionProbe);
  const setupError = await prepareWorkspace(ctx);
  if (setupError) return finishRun(ctx, setupError, null, mirrorPath);
  if (ctx.isCancelled()) return finishRun(ctx, null, null, mirrorPath);

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
  await finishRun(ctx, null, result, mirrorPath);
}

function invocationRequest(ctx: RunContext): InvocationRequest {
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

function recordVersion(ctx: RunContext, info: CliVersionInfo): void {
  ctx.summary.agent.cli = ctx.executor.binName;
  ctx.summary.agent.version = info.version;
  ctx.summary.agent.tested_version = info.tested;
  if (info.warning) ctx.summary.warnings.push(info.warning);
}

function redactArgv(invocation: Invocation, redact: Redactor): string[] {
  return [invocation.file, ...invocation.args].map((arg) => redact(arg));
}
