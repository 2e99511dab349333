import { basename, join } from 'node:path';
import { requireBinary } from '../executors/find-binary.js';
import { getExecutor } from '../executors/registry.js';
import type { ExecutorName } from '../executors/types.js';
import { acquireExclusiveLock } from '../runs/exclusive-lock.js';
import { createRedactor } from '../runs/redact.js';
import { executeRun, type RunResult } from './execute-run.js';
import type { GroupPlan } from './group-plan.js';
import { runOnFinish } from './on-finish.js';
import { isGroupRequest, type DispatchRequest } from './dispatch-request.js';
import { DEFAULT_MAX_WAIT_MS } from './quota-wait.js';
import { checkLoginsBeforeFanOut } from './preflight.js';
import { runGroup, type GroupHooks, type GroupResult } from './run-group.js';
import type { RunHooks } from './run-plan.js';

// The request and its pure helpers live apart, so `--queue` submits need not load the run code.
export { isGroupRequest, jobLockKey, type DispatchRequest } from './dispatch-request.js';

export type DispatchResult =
  | { kind: 'single'; run: RunResult; exitCode: number; onFinish: OnFinishReport | null }
  | { kind: 'group'; group: GroupResult; exitCode: number; onFinish: OnFinishReport | null };

/** How --on-finish went: its output is in on-finish.log. */
export interface OnFinishReport {
  passed: boolean;
  exitCode: number | null;
  logPath: string;
}

/**
 * One dispatch: finds every CLI it needs first (a missing one fails before anything starts),
 * checks logins once before a fan-out, runs, then runs --on-finish.
 */
export async function dispatchTask(request: DispatchRequest, hooks: { run?: RunHooks; group?: GroupHooks } = {}): Promise<DispatchResult> {
  const key = request.overlapKey;
  if (key === undefined) return dispatchUnlocked(request, hooks);
  const lockPath = join(request.template.home.root, 'locks', `${key}.lock`);
  const unlock = await acquireExclusiveLock(lockPath, `the same job (lock ${key})`);
  try {
    return await dispatchUnlocked(request, hooks);
  } finally {
    await unlock();
  }
}

async function dispatchUnlocked(request: DispatchRequest, hooks: { run?: RunHooks; group?: GroupHooks }): Promise<DispatchResult> {
  const { template } = request;
  // Members run on queue workers (hooks.group.executeRun) need no CLI on this machine.
  const findBin = (name: ExecutorName) => (hooks.group?.executeRun ? '' : requireBinary(getExecutor(name), template.env));
  const executors = request.executors.map((name) => ({ name, bin: findBin(name) }));
  const fallback = request.fallback ? { name: request.fallback, bin: findBin(request.fallback) } : undefined;
  const first = executors[0];
  if (!isGroupRequest(request) && first) {
    const run = await executeRun({ ...template, executor: first.name, bin: first.bin, mode: 'single', groupId: null }, hooks.run);
    const onFinish = await finishHook(request, run.runDir, join(run.runDir, 'summary.json'));
    return { kind: 'single', run, exitCode: run.exitCode, onFinish };
  }
  if (request.executors.length * request.attempts > 1 && !hooks.group?.executeRun) checkLoginsBeforeFanOut(request.executors, template.env);
  const plan: GroupPlan = {
    template,
    executors,
    attempts: request.attempts,
    concurrency: request.concurrency,
    race: request.race,
    fallback,
    budgetUsd: request.budgetUsd,
    budgetTokens: request.budgetTokens,
    apply: request.apply,
    onQuota: request.onQuota ?? (request.fallback ? 'fallback' : 'fail'),
    maxWaitMs: request.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    push: request.push,
    pr: request.pr,
  };
  const group = await runGroup(plan, hooks.group);
  // --pr's body names report.html: it is written once the group is final, with or without --on-finish.
  const reportPath = request.pr || request.onFinish ? await writeReportQuietly(template.home.runsDir, basename(group.dir)) : null;
  const onFinish = await finishHook(request, group.dir, join(group.dir, 'group.json'), reportPath);
  return { kind: 'group', group, exitCode: group.exitCode, onFinish };
}

async function finishHook(request: DispatchRequest, dir: string, summaryPath: string, reportPath: string | null = null): Promise<OnFinishReport | null> {
  if (!request.onFinish) return null;
  // The hook gets the HTML report's path in DISPATCH_REPORT: written before it runs (tens of milliseconds).
  const report = reportPath ?? (await writeReportQuietly(request.template.home.runsDir, basename(dir)));
  const result = await runOnFinish({
    reportPath: report,
    command: request.onFinish,
    dir,
    summaryPath,
    env: request.template.env,
    graceMs: request.template.graceMs,
    redact: createRedactor(request.template.env),
  });
  return { passed: result.passed, exitCode: result.exitCode, logPath: join(dir, 'on-finish.log') };
}

/** report.html in the run or group directory; a report that cannot be written never fails the dispatch (null). */
async function writeReportQuietly(runsDir: string, id: string): Promise<string | null> {
  try {
    const { writeReport } = await import('../report/html/write-report.js');
    return (await writeReport({ runsDir, ref: id, cwd: runsDir })).path;
  } catch {
    return null;
  }
}
