import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { probeCliVersion, type CliVersionInfo } from '../executors/cli-version.js';
import { cacheDir, cliVersionCacheFile } from '../runs/home.js';
import { CancelledError, InfraError } from '../errors.js';
import { describeDiskFull, isDiskFull } from '../runs/disk-space.js';
import { agentOptionsFor, buildAgentEnv } from '../executors/agent-options.js';
import { getExecutor } from '../executors/registry.js';
import type { Invocation, InvocationRequest } from '../executors/types.js';
import { AGENT_OPTIONS_FILE, describeAgentOptions } from '../runs/agent-options-file.js';
import { snapshotWorktree } from '../repos/capture-diff.js';
import { openEventLog } from '../runs/event-log.js';
import { openOutputLog } from '../runs/output-log.js';
import { exitCodeForOutcome } from '../runs/outcome.js';
import { createByteRedactor, createRedactor, createSecretScreen, type Redactor } from '../runs/redact.js';
import { releaseReserve } from '../runs/disk-reserve.js';
import { createRunId } from '../runs/run-id.js';
import { createRunCgroup, holdCgroupMovesWarm, removeRunCgroup } from '../process/run-cgroup.js';
import { createRunMarker } from '../process/run-marker.js';
import { createRunDir, renderTaskFile, runPaths, writeSummary } from '../runs/run-dir.js';
import { watchCancelRequest } from '../runs/cancel-request.js';
import { createRunState } from '../runs/run-state.js';
import type { RunSummary } from '../runs/summary.js';
import { createRunningSummary } from '../runs/summary-init.js';
import { runAgentSession } from './agent-session.js';
import { finishRun, finishRunWithError } from './finish-run.js';
import { settleEventLog } from './full-disk.js';
import { passLoginGate } from './login-gate.js';
import { prepareWorkspace } from './prepare-workspace.js';
import { startBaseFetch, startCheckout, type PendingCheckout } from './run-checkout.js';
import type { RunContext } from './run-context.js';
import type { RunHooks, RunPlan } from './run-plan.js';

export interface RunResult {
  runId: string;
  runDir: string;
  summary: RunSummary;
  exitCode: number;
}

/** Runs one agent on one task in a fresh worktree and leaves a complete run directory. */
export async function executeRun(template: RunPlan, hooks: RunHooks = {}): Promise<RunResult> {
  const plan = withExecutorModel(template);
  const now = hooks.now ?? (() => new Date());
  const started = now();
  const executor = getExecutor(plan.executor);
  const runId = plan.runId ?? createRunId(plan.executor, started);
  const paths = runPaths(plan.home.runsDir, runId);
  if (plan.resume) Object.assign(paths, { workspace: plan.resume.workspace, agentHome: plan.resume.agentHome });
  const summary = createRunningSummary({
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
    parentRunId: plan.resume?.parentRunId ?? null,
    fallbackOf: plan.fallbackOf ?? null,
    marker: createRunMarker(),
  });
  if (plan.resume) Object.assign(summary, { before_sha: plan.resume.baseSha, baseline_tree: plan.resume.baselineTree ?? null });
  // The agent's cgroup is made now and named in the first summary.json: a dispatcher killed
  // before the agent starts leaves it where the next command removes it. Made before any
  // move is kept warm, too (a mkdir in the cgroup tree waits behind a slow move).
  summary.agent_cgroup = createRunCgroup(summary.agent_marker ?? '');
  // --env values reach the agent only, and are as secret as dispatch's own.
  const redact = createRedactor({ ...plan.env, ...plan.agent?.env });
  const agentOptions = `${JSON.stringify(describeAgentOptions(plan, redact), null, 2)}\n`;
  // One signal for every way a run is cancelled: the caller's (Ctrl-C, race, budget) and
  // `dispatch cancel` from another shell.
  const controller = new AbortController();
  const forward = () => controller.abort(hooks.signal?.reason);
  if (hooks.signal?.aborted) forward();
  hooks.signal?.addEventListener('abort', forward, { once: true });
  // The fetch needs nothing of the run: git fetches while the run dir and the agent's home are made.
  const baseFetch = plan.resume || plan.base ? undefined : startBaseFetch(plan, controller.signal);
  await createRunDir(paths, renderTaskFile(plan.task, plan.instructions), summary, { [AGENT_OPTIONS_FILE]: agentOptions }).catch(async (error: unknown) => {
    hooks.signal?.removeEventListener('abort', forward);
    await baseFetch?.stop();
    removeRunCgroup(summary.agent_cgroup ?? null);
    // Nothing of the run exists yet (the directory appears whole or not at all).
    throw isDiskFull(error) ? new InfraError(describeDiskFull(plan.home.runsDir, 'no run directory could be created'), 'free space and run again') : error;
  });
  const stopWatching = watchCancelRequest(paths.dir, () => controller.abort('cancelled'));
  const redactBytes = createByteRedactor({ ...plan.env, ...plan.agent?.env });
  const ctx: RunContext = {
    plan,
    hooks: { ...hooks, signal: controller.signal },
    executor,
    paths,
    redact,
    redactBytes,
    now,
    state: createRunState(),
    baseFetch: baseFetch?.result,
    emit(event) {
      const timed = ctx.eventLog.append(event, now());
      hooks.onEvent?.(runId, timed);
      return timed;
    },
    isCancelled: () => controller.signal.aborted,
    eventLog: openEventLog(paths.events, redact, plan.outputCapBytes, createSecretScreen({ ...plan.env, ...plan.agent?.env })),
    outputLog: openOutputLog(paths.outputLog, redactBytes, plan.outputCapBytes),
    summary,
  };
  hooks.onRunCreated?.(runId, paths.dir);
  ctx.emit({ type: 'run.started', run_id: runId, executor: plan.executor });
  try {
    await runPhases(ctx);
  } catch (error) {
    // Cancelled during a step that stops itself (the fetch): the run is cancelled, not broken.
    if (error instanceof CancelledError && ctx.isCancelled()) await finishRun(ctx, null, null);
    else await finishRunWithError(ctx, error);
  } finally {
    // A run that ended before its checkout (no login, cancelled) stops the fetch it started.
    await baseFetch?.stop();
    stopWatching();
    removeRunCgroup(summary.agent_cgroup ?? null);
    hooks.signal?.removeEventListener('abort', forward);
    await ctx.eventLog.close();
    await ctx.outputLog.close();
    await settleEventLog(ctx);
    await releaseReserve(paths.dir).catch(() => undefined);
  }
  return {
    runId,
    runDir: paths.dir,
    summary: ctx.summary,
    exitCode: exitCodeForOutcome(ctx.summary.outcome ?? 'infra', { requireChanges: plan.requireChanges }),
  };
}

async function runPhases(ctx: RunContext): Promise<void> {
  const { plan, executor, paths } = ctx;
  // From here to the agent's start, the cgroup move that starts it is kept a cheap one
  // (run-cgroup.ts): the slow first move is made while the fetch and the checkout run. The
  // checkout takes a fresh hold, for a fetch that outlasted the first. A run without a
  // cgroup (no permission, DISPATCH_CGROUP=off) has nothing to keep warm.
  const holds = ctx.summary.agent_cgroup ? [holdCgroupMovesWarm()] : [];
  const coolDown = () => holds.splice(0).forEach((release) => release());
  const warmUp = () => {
    if (holds.length > 0) holds.push(holdCgroupMovesWarm());
  };
  // A single run's checkout starts once its fetch has told the base commit, beside the home's
  // preparation. A group's runs (base known) check out after it: sixteen checkouts at once,
  // beside sixteen homes, made the group slower (measured).
  const checkout = plan.resume || plan.base ? undefined : startCheckout(ctx, warmUp);
  try {
    await (plan.resume ? executor.shareLogin(paths.agentHome, plan.env) : executor.prepareHome(paths.agentHome, plan.env));
    const agentOptions = agentOptionsFor(plan.agent, plan.executor);
    if (agentOptions && !plan.resume) await executor.writeRunConfig(paths.agentHome, agentOptions);
    const auth = executor.checkAuth(paths.agentHome, plan.env);
    if (!auth.ok) {
      await checkout?.drop();
      await finishRun(ctx, { kind: 'auth', message: auth.detail }, null);
      return;
    }
    if (ctx.isCancelled()) {
      await checkout?.drop();
      return await finishRun(ctx, null, null);
    }
    await checkOutAndRunAgent(ctx, { checkout, checkingOut: warmUp, agentStarted: coolDown });
  } catch (error) {
    await checkout?.drop();
    throw error;
  } finally {
    coolDown();
  }
}

interface AgentPhase {
  /** A single run's checkout, started early; a group's run starts its own here, a resumed run has none. */
  checkout: PendingCheckout | undefined;
  /** Called when a checkout starts, and at once for a resumed run. */
  checkingOut: () => void;
  agentStarted: () => void;
}

/** The workspace, the setup steps and the agent. */
async function checkOutAndRunAgent(ctx: RunContext, { checkout, checkingOut, agentStarted }: AgentPhase): Promise<void> {
  const { plan, executor, paths, summary } = ctx;
  if (plan.resume) checkingOut();
  // A checkout whose base commit is known starts first: the probe and the seeding begin
  // with a few ms of synchronous work, which would hold back git's start.
  if (checkout) await new Promise((resolve) => setImmediate(resolve));
  const versionProbe = probeCliVersion(executor, plan.bin, executor.buildInvocation(invocationRequest(ctx)).env, paths.agentHome, cliVersionCacheFile(plan.home));
  // Beside the checkout; a home that cannot be seeded is set up by the agent itself, as before.
  const seeding = plan.resume ? undefined : executor.seedHome?.(paths.agentHome, plan.bin, cacheDir(plan.home), plan.env).catch(() => undefined);
  const mirrorPath = await (checkout ?? (plan.resume ? undefined : startCheckout(ctx, checkingOut)))?.adopt();
  summary.workspace = paths.workspace;
  recordVersion(ctx, await versionProbe);
  const setupError = plan.resume ? null : await prepareWorkspace(ctx);
  if (setupError) return finishRun(ctx, setupError, null, mirrorPath);
  // The diff is what the agent changed: files --copy and --setup put there are the baseline.
  if (!plan.resume && (plan.copy?.length || plan.setup)) summary.baseline_tree = await snapshotWorktree(paths.workspace);
  if (ctx.isCancelled()) return finishRun(ctx, null, null, mirrorPath);

  await seeding;
  // A resumed run shares its parent's agent home: its answer must not be the parent's.
  // One small local file: removed synchronously, as the pool may be busy with the run dir's syncs.
  if (executor.lastMessageFile) rmSync(join(paths.agentHome, executor.lastMessageFile), { force: true });
  const invocation = executor.buildInvocation(invocationRequest(ctx));
  summary.agent.argv = redactArgv(plan.bin, invocation, ctx.redact);
  // Written before the agent starts: a dispatcher killed at any later instant leaves what
  // the next command needs to find every process of the agent (marker, cgroup).
  await writeSummary(paths, summary);

  // A login due for a refresh is refreshed by one agent alone; the others wait for it here.
  const releaseLogin = await passLoginGate(() => executor.watchLoginRefresh?.(plan.env, ctx.now()), ctx.hooks.signal);
  if (ctx.isCancelled()) {
    releaseLogin();
    return finishRun(ctx, null, null, mirrorPath);
  }
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
    marker: summary.agent_marker ?? '',
    cgroup: summary.agent_cgroup ?? null,
    onStart: (pgid) => {
      agentStarted();
      summary.agent_pgid = pgid ?? null;
      void writeSummary(paths, summary).catch(() => undefined);
    },
    onEvent: (event) => ctx.hooks.onEvent?.(summary.run_id, event),
  }).finally(releaseLogin);
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
    baseEnv: buildAgentEnv(ctx.plan.env, ctx.plan.agent, ctx.executor.loginEnvVars(ctx.plan.env)),
    resumeSessionId: ctx.plan.resume?.sessionId,
    agent: agentOptionsFor(ctx.plan.agent, ctx.plan.executor),
  };
}

/** The plan with a --model alias resolved for its executor. */
function withExecutorModel(plan: RunPlan): RunPlan {
  const model = plan.agent?.models?.[plan.executor];
  return model === undefined ? plan : { ...plan, model };
}

function recordVersion(ctx: RunContext, info: CliVersionInfo): void {
  ctx.summary.agent.cli = ctx.executor.binName;
  ctx.summary.agent.version = info.version;
  ctx.summary.agent.tested_version = info.tested;
  if (info.warning) ctx.summary.warnings.push(info.warning);
}

/** The command as users would type it: the binary they know (codex's launcher, not the native file it runs). */
function redactArgv(located: string, invocation: Invocation, redact: Redactor): string[] {
  return [located, ...invocation.args].map((arg) => redact(arg));
}
