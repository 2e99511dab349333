import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DispatchError } from '../errors.js';
import { getExecutor } from '../executors/registry.js';
import type { AgentProcessResult } from '../process/agent-process.js';
import { captureChanges } from '../repos/capture-diff.js';
import { redactCredentials } from '../repos/repo-arg.js';
import { DEFAULT_WORKSPACE_POOL } from '../repos/pool-size.js';
import { releaseWorkspace } from '../repos/workspace-pool.js';
import { decideOutcome, exitCodeForOutcome } from '../runs/outcome.js';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { writeDiffPatch, writeLastMessage } from '../runs/run-dir.js';
import { finalMessageOf, type RunState } from '../runs/run-state.js';
import { statusForOutcome, type RunSummary } from '../runs/summary.js';
import type { RunContext } from './run-context.js';
import type { RunPlan, ShellCommand } from './run-plan.js';
import { runShellStep } from './shell-step.js';
import { settleBoth } from '../settle-both.js';
import { flagSecretsInDiff, recordChanges, recordDroppedOutput, recordStructuredOutput } from './summary-details.js';
import { copyEnv } from '../executors/agent-home.js';
import { describeDiskFull, isDiskFull } from '../runs/disk-space.js';
import { releaseReserve } from '../runs/disk-reserve.js';
import { diskFullOfLogs, diskPathOf, unlessDiskFull, writeFinalSummary } from './full-disk.js';

/** Captures the workspace, decides the outcome and writes the final files. */
export async function finishRun(
  ctx: RunContext,
  preError: { kind: string; message: string } | null,
  result: AgentProcessResult | null,
  mirrorPath?: string,
): Promise<void> {
  const { summary, paths, state, plan } = ctx;
  // The agent's session files are read while its workspace is captured (it can fail: never the run).
  const sessionFacts = readSessionFacts(ctx);
  preError ??= await diskFullOfLogs(ctx);
  const lastMessageFile = ctx.executor.lastMessageFile
    ? readOptional(join(paths.agentHome, ctx.executor.lastMessageFile))
    : null;
  const finalMessage = finalMessageOf(state, lastMessageFile);
  if (summary.before_sha !== null) {
    const beforeSha = summary.before_sha;
    const capture = await unlessDiskFull(ctx, async () => {
      // The answer is written while the workspace is captured: both wait on the disk.
      const [, changes] = await settleBoth(
        finalMessage === null ? Promise.resolve() : writeLastMessage(paths, ctx.redact(finalMessage)),
        captureWorkspace(ctx, beforeSha),
      );
      await writeDiffPatch(paths, changes.patch);
      return changes;
    });
    if ('diskFull' in capture) {
      summary.warnings.push('diff.patch was not captured: the disk is full');
      preError ??= { kind: 'disk_full', message: capture.diskFull };
    }
    const captured = 'value' in capture ? capture.value : null;
    if (captured) recordChanges(summary, captured);
    if (captured) flagSecretsInDiff(ctx, captured.patch);
  } else if (finalMessage !== null) {
    await writeLastMessage(paths, ctx.redact(finalMessage));
  }
  const agentFinished = preError === null && result !== null && result.stoppedBy === null && result.exitCode === 0 && !state.turnFailed;
  const checkCancelled = plan.check && agentFinished && summary.before_sha !== null ? await runCheck(ctx, plan.check) : false;
  const cancelled = preError === null && ((result === null && ctx.isCancelled()) || checkCancelled);

  if (!plan.keepWorkspace && !plan.resume && mirrorPath && summary.workspace) {
    // A worktree some process of the agent may still write to is never parked for another run.
    const reusable = (result?.stop?.survivors?.length ?? 0) === 0;
    await releaseWorkspace(mirrorPath, paths.workspace, plan.workspacePool ?? DEFAULT_WORKSPACE_POOL, reusable);
    summary.workspace = null;
  }

  await sessionFacts;
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
        checkPassed: summary.check?.passed ?? null,
      });
  const completed = ctx.now();
  Object.assign(summary, {
    completed: completed.toISOString(),
    duration_ms: completed.getTime() - Date.parse(summary.started),
    status: statusForOutcome(outcome),
    outcome,
    exit_code: result?.exitCode ?? null,
    dispatch_exit_code: dispatchExitCodeOf(outcome, plan.requireChanges, ctx.hooks.signal?.reason),
    signal: result?.signal ?? null,
    session_id: state.sessionId,
    final_message: finalMessage === null ? null : ctx.redact(finalMessage),
    usage: state.usage,
    cost_usd: state.costUsd,
    unknown_events: state.unknownEvents,
    agent_pgid: null,
    error: redactError(describeError(outcome, preError, result, state, plan, summary.check, ctx.hooks.signal?.reason), ctx),
  } satisfies Partial<RunSummary>);
  summary.warnings.push(...containmentWarnings(result));
  if (state.model && !summary.model) summary.model = state.model;
  await recordStructuredOutput(summary, plan.agent?.outputSchema, state.structuredOutput, finalMessage);
  recordDroppedOutput(ctx);
  await writeFinalSummary(ctx);
  ctx.emit({ type: 'run.finished', status: summary.status, outcome, exit_code: summary.exit_code });
}

/**
 * Facts the agent keeps in its session files: the model it used (codex does not print it),
 * and the exact reset of a used-up window (codex prints it to the minute, or not at all).
 */
async function readSessionFacts(ctx: RunContext): Promise<void> {
  const { state, executor } = ctx;
  if (!executor.readSessionFacts || state.sessionId === null) return;
  try {
    const facts = await executor.readSessionFacts(ctx.paths.agentHome, state.sessionId);
    if (facts.model && !state.model) state.model = facts.model;
    if (facts.usageLimitResetAt && state.errorKind === 'usage_limit') state.resetAt = facts.usageLimitResetAt;
  } catch {
    // A rollout we cannot read costs a detail, never the run.
  }
}

/**
 * What the agent changed. A resumed run's diff.patch is against its parent's end state, and
 * diff-from-base.patch against the commit the parent started from.
 */
async function captureWorkspace(ctx: RunContext, beforeSha: string) {
  const resume = ctx.plan.resume;
  const baseline = resume ? resume.baselineTree : (ctx.summary.baseline_tree ?? undefined);
  const fromBaseline = baseline ? { diffBase: baseline } : {};
  if (!resume) return captureChanges(ctx.paths.workspace, beforeSha, fromBaseline);
  const fromBase = await captureChanges(ctx.paths.workspace, beforeSha, fromBaseline);
  await writeFileAtomically(join(ctx.paths.dir, 'diff-from-base.patch'), fromBase.patch);
  return captureChanges(ctx.paths.workspace, resume.parentSha, { diffBase: resume.parentTree });
}

/**
 * Runs --check in the finished workspace (after the diff is captured, so its files stay out
 * of it). Returns true when the run was cancelled during the check.
 */
async function runCheck(ctx: RunContext, check: ShellCommand): Promise<boolean> {
  const step = await runShellStep({
    command: check.command,
    cwd: ctx.paths.workspace,
    env: copyEnv(ctx.plan.env),
    logPath: ctx.paths.checkLog,
    timeoutMs: check.timeoutMs,
    graceMs: ctx.plan.graceMs,
    redact: ctx.redact,
    signal: ctx.hooks.signal,
  });
  if (step.cancelled) return true;
  ctx.summary.check = { command: ctx.redact(check.command), exit_code: step.exitCode, passed: step.passed, duration_ms: step.durationMs };
  ctx.emit({ type: 'check.finished', passed: step.passed, exit_code: step.exitCode });
  return false;
}

/** What summary.json says about processes the agent left behind. */
function containmentWarnings(result: AgentProcessResult | null): string[] {
  const warnings: string[] = [];
  const left = result?.leftovers ?? 0;
  if (left > 0) warnings.push(`the agent exited but left ${left} process${left === 1 ? '' : 'es'} running; dispatch stopped ${left === 1 ? 'it' : 'them'}`);
  const survivors = result?.stop?.survivors ?? [];
  if (survivors.length > 0) warnings.push(`could not stop ${survivors.length} process(es) of the agent: pid ${survivors.join(', ')}`);
  return warnings;
}

/** What dispatch exits with for this run alone; the loser of a won race is no failure (DESIGN §10). */
function dispatchExitCodeOf(outcome: RunSummary['outcome'], requireChanges: boolean, reason: unknown): number {
  if (outcome === 'cancelled' && reason === 'race_lost') return 0;
  return exitCodeForOutcome(outcome ?? 'infra', { requireChanges });
}

/** Error text comes from the agent: the same redaction as its logs. */
function redactError(error: RunSummary['error'], ctx: RunContext): RunSummary['error'] {
  return error ? { ...error, message: ctx.redact(error.message) } : null;
}

/** Why a run was cancelled: the reason its abort signal carries (see CancelReason). */
function describeCancel(reason: unknown): RunSummary['error'] {
  switch (reason) {
    case 'budget':
      return { kind: 'budget', message: 'stopped: the group went over --budget-usd / --budget-tokens' };
    case 'race_lost':
      return { kind: 'race_lost', message: 'stopped: another run won the race' };
    case 'interrupted':
      return { kind: 'interrupted', message: 'dispatch was interrupted (SIGINT, SIGTERM or SIGHUP)' };
    default:
      return { kind: 'cancelled', message: 'the run was cancelled (dispatch cancel, or dispatch was interrupted)' };
  }
}

function describeError(
  outcome: RunSummary['outcome'],
  preError: { kind: string; message: string } | null,
  result: AgentProcessResult | null,
  state: RunState,
  plan: RunPlan,
  check: RunSummary['check'],
  reason: unknown,
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
      return describeCancel(reason);
    case 'check_failed':
      return { kind: 'check_failed', message: `--check ${check?.exit_code === null ? 'timed out' : `exited with code ${check?.exit_code}`}; see check.log` };
    case 'empty_result':
      return { kind: 'empty_result', message: 'the agent exited 0 with no final message and no changes' };
    default:
      break;
  }
  if (result?.spawnError) return { kind: 'infra', message: result.spawnError };
  const message = state.errorMessage ?? `the agent exited with code ${result?.exitCode ?? 'unknown'}${result?.signal ? ` (${result.signal})` : ''}`;
  if (outcome === 'auth') return { kind: 'auth', message: `${message} — ${getExecutor(plan.executor).loginHint}` };
  return { kind: errorKindOf(outcome, state), message, ...(outcome === 'quota' && state.resetAt ? { reset_at: state.resetAt } : {}) };
}

/**
 * error.kind names the cause within the outcome: quota → `usage_limit` (the plan's window is
 * used up; reset_at says until when) or `rate_limit` (429s past the agent's retries); infra
 * from the model provider → `server` (HTTP 5xx/529) or `network` (cut stream, refused).
 */
function errorKindOf(outcome: RunSummary['outcome'], state: RunState): string {
  if (outcome === 'quota') return state.errorKind === 'usage_limit' ? 'usage_limit' : 'rate_limit';
  if (outcome === 'infra' && (state.errorKind === 'server' || state.errorKind === 'network')) return state.errorKind;
  return outcome ?? 'agent_error';
}

export async function finishRunWithError(ctx: RunContext, error: unknown): Promise<void> {
  const diskFull = isDiskFull(error);
  const message = diskFull
    ? describeDiskFull(diskPathOf(error, ctx), 'the run was stopped')
    : error instanceof DispatchError ? error.message : String((error as Error)?.message ?? error);
  if (diskFull) await releaseReserve(ctx.paths.dir);
  const kind = diskFull ? 'disk_full' : error instanceof DispatchError && error.code === 'auth' ? 'auth' : 'infra';
  // An unexpected error (EACCES…) is still this run's infra outcome, never a crash that
  // would leave a group's other members unsupervised; its stack goes to output.log.
  if (!(error instanceof DispatchError) && !diskFull) ctx.outputLog.writeLine(`[dispatch: internal error: ${(error as Error)?.stack ?? message}]`);
  try {
    await finishRun(ctx, { kind, message: redactCredentials(ctx.redact(message)) }, null);
  } catch (finishError) {
    // The workspace itself is broken, or the disk is full: still leave an honest summary.
    if (isDiskFull(finishError)) ctx.summary.warnings.push(`diff.patch was not captured: ${describeDiskFull(diskPathOf(finishError, ctx))}`);
    Object.assign(ctx.summary, {
      completed: ctx.now().toISOString(),
      status: 'failed',
      outcome: 'infra',
      dispatch_exit_code: 3,
      agent_pgid: null,
      error: { kind, message: redactCredentials(ctx.redact(message)) },
    });
    await writeFinalSummary(ctx);
  }
}


/** The agent's answer file (small, local): read synchronously, not behind the run's syncs in the thread pool. */
function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
