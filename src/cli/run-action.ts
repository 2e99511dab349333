import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CancelledError, UsageError } from '../errors.js';
import { findMistypedCommand, mistypedCommandError } from './command-suggestion.js';
import { parseExecutorList } from '../executors/executor-names.js';
import { isGroupRequest, jobLockKey, type DispatchRequest } from '../modes/dispatch-request.js';
import type { DispatchResult, OnFinishReport } from '../modes/dispatch-task.js';
import { groupResultRows, renderGroupVerdict } from '../report/group-report.js';
import { renderRunReport } from '../report/run-report.js';
import { parseRepoArg } from '../repos/repo-arg.js';
import { parseWorkspacePool } from '../repos/pool-size.js';
import { resolveHome } from '../runs/home.js';
import { requireFreeSpace } from '../runs/disk-space.js';
import { minFreeOf } from './agent-limit-options.js';
import type { ProgressView } from '../report/progress-view.js';
import { exitCodeForSignal, watchInterrupts, type InterruptSignal } from './interrupts.js';
import { parseAgentOptions, readInstructions, type AgentFlags } from './agent-options.js';
import type { CliIo } from './io.js';
import type { QueueFlags } from './queue-options.js';
import { resolveQueueUrl } from '../queue/queue-url.js';
import {
  parseCopyItems,
  parseDurationFlag,
  parseLabels,
  parseOnQuota,
  parseOutputCap,
  parsePositiveInt,
  parsePositiveNumber,
  parseSandbox,
  readTask,
  type RunFlags,
} from './run-options.js';

type ModelAliases = Record<string, { codex?: string; claude?: string }>;

/** Validates everything before a file is written. */
async function buildRequest(io: CliIo, repoArg: string, words: string[], flags: RunFlags & AgentFlags, aliases: ModelAliases): Promise<DispatchRequest> {
  const mistyped = findMistypedCommand(repoArg, { hasTask: words.length > 0 || flags.taskFile !== undefined, remoteBase: io.env.DISPATCH_REMOTE_BASE, isPath: existsSync(resolve(io.cwd, repoArg)) });
  if (mistyped) throw mistypedCommandError(repoArg, mistyped, io.invocation ?? 'dispatch');
  const executors = parseExecutorList(flags.executor);
  const fallback = flags.fallback === undefined ? undefined : parseExecutorList(flags.fallback);
  if (fallback && fallback.length !== 1) throw new UsageError(`--fallback takes one executor, not '${flags.fallback}'`);
  if (flags.race && flags.fallback) throw new UsageError('--race and --fallback do not go together', 'a race already runs every executor at once');
  const request: DispatchRequest = {
    template: {
      repo: parseRepoArg(repoArg, { remoteBase: io.env.DISPATCH_REMOTE_BASE, cwd: io.cwd }),
      task: await readTask(words, flags.taskFile, io),
      instructions: await readInstructions(flags.instructions),
      agent: await parseAgentOptions(flags, io.env, aliases),
      model: flags.model,
      branch: flags.branch,
      sandbox: parseSandbox(flags.sandbox),
      timeoutMs: parseDurationFlag('--timeout', flags.timeout),
      idleTimeoutMs: parseDurationFlag('--idle-timeout', flags.idleTimeout),
      graceMs: parseDurationFlag('--kill-grace', flags.killGrace),
      fetchTimeoutMs: parseDurationFlag('--fetch-timeout', flags.fetchTimeout),
      outputCapBytes: parseOutputCap(io.env.DISPATCH_OUTPUT_CAP_BYTES),
      labels: parseLabels(flags.label),
      check: flags.check ? { command: flags.check, timeoutMs: parseDurationFlag('--check-timeout', flags.checkTimeout) } : undefined,
      setup: flags.setup ? { command: flags.setup, timeoutMs: parseDurationFlag('--setup-timeout', flags.setupTimeout) } : undefined,
      copy: parseCopyItems(flags.copy, io.cwd),
      keepWorkspace: flags.keepWorkspace,
      workspacePool: parseWorkspacePool(flags.workspacePool),
      requireChanges: flags.requireChanges === true,
      home: resolveHome(flags.home, io.env),
      env: io.env,
    },
    executors,
    attempts: parsePositiveInt('--attempts', flags.attempts),
    concurrency: parsePositiveInt('--concurrency', flags.concurrency),
    race: flags.race === true,
    fallback: fallback?.[0],
    budgetUsd: flags.budgetUsd === undefined ? undefined : parsePositiveNumber('--budget-usd', flags.budgetUsd),
    budgetTokens: flags.budgetTokens === undefined ? undefined : parsePositiveInt('--budget-tokens', flags.budgetTokens),
    apply: flags.apply === true,
    push: flags.push === true,
    // A missing gh fails now, before an hour of agent time, not after.
    pr: flags.pr ? { gh: (await import('../repos/pull-request.js')).requireGh(io.env) } : undefined,
    onFinish: flags.onFinish ? { command: flags.onFinish, timeoutMs: 10 * 60_000 } : undefined,
    onQuota: parseOnQuota(flags.onQuota, flags.fallback),
    maxWaitMs: parseDurationFlag('--max-wait', flags.maxWait),
  };
  request.overlapKey = overlapKeyOf(flags, request);
  return request;
}

function overlapKeyOf(flags: RunFlags, request: DispatchRequest): string | undefined {
  if (flags.lockKey !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(flags.lockKey)) {
      throw new UsageError(`invalid --lock-key '${flags.lockKey}'`, 'use letters, digits, . _ - (100 at most)');
    }
    return flags.lockKey;
  }
  // commander turns --no-overlap into overlap: false (default true).
  return flags.overlap === false ? jobLockKey(request.template.repo.displayUrl, request.template.task) : undefined;
}

/** `dispatch run`: validates everything, dispatches, prints the result; returns the exit code. */
export async function runCommand(io: CliIo, repoArg: string, words: string[], flags: RunFlags & AgentFlags, aliases: ModelAliases = {}, interruptedEarlier: InterruptSignal | null = null): Promise<number> {
  const request = await buildRequest(io, repoArg, words, flags, aliases);
  const { home } = request.template;
  requireFreeSpace([home.runsDir, home.reposDir], minFreeOf(flags.minFree, io.env));
  const queueUrl = resolveQueueUrl((flags as RunFlags & QueueFlags).queue, io.env);
  // On the queue, one run's `--on-quota wait` is a delayed job (the worker delays it), not a group.
  const onQueueAlone = !isGroupRequest({ ...request, onQuota: request.onQuota === 'wait' ? 'fail' : request.onQuota });
  if (queueUrl && onQueueAlone) return (await import('./queue-action.js')).runOnQueue(io, request, flags, queueUrl);
  if ((flags as QueueFlags).detach) throw new UsageError(queueUrl ? '--detach takes one run, not a group' : '--detach needs --queue', 'queue one run with --queue redis://… --detach');
  // A group on the queue: the same group logic here, each member a job on a worker.
  const queue = queueUrl ? await (await import('./queue-action.js')).openQueueMembers(request, queueUrl, io.env) : undefined;
  // Loaded here, past the queue's submit: a `--queue` submit needs none of the run code.
  const [{ dispatchTask }, { watchGroupProgress }] = await Promise.all([import('../modes/dispatch-task.js'), import('./group-progress.js')]);
  const isChatty = chatty(flags);
  const interrupts = watchInterrupts((signal) => {
    if (isChatty) io.stderr.write(`\ndispatch: ${signal} received, stopping the agents…\n`);
  }, interruptedEarlier);
  const progress = await watchGroupProgress(isChatty ? io.stdout : nullStream());
  try {
    const result = await dispatchTask(request, {
      run: {
        signal: interrupts.signal,
        onRunCreated: (runId, runDir) => {
          if (isChatty) io.stderr.write(`dispatch: ${runId} started (${request.executors[0]} on ${request.template.repo.displayUrl})\n  ${runDir}\n`);
        },
      },
      group: { ...progress.hooks, signal: interrupts.signal, executeRun: queue?.executeRun },
    });
    printResult(io, result, flags, request.template.home.runsDir, progress.view());
    if (result.onFinish) await reportOnFinish(io, result.onFinish, isChatty);
    const interrupted = interrupts.received();
    return interrupted ? exitCodeForSignal(interrupted) : result.exitCode;
  } catch (error) {
    // A group interrupted during its one fetch: no run was created yet.
    const interrupted = interrupts.received();
    if (!(error instanceof CancelledError) || !interrupted) throw error;
    io.stderr.write(`dispatch: ${error.message}\n`);
    return exitCodeForSignal(interrupted);
  } finally {
    interrupts.dispose();
    await queue?.close();
  }
}

function printResult(io: CliIo, result: DispatchResult, flags: RunFlags, runsDir: string, view: ProgressView | undefined): void {
  if (result.kind === 'single') {
    const { run } = result;
    if (flags.json) io.stdout.write(`${JSON.stringify(run.summary, null, 2)}\n`);
    else if (flags.quiet) io.stdout.write(`${run.runDir}\n`);
    else io.stdout.write(renderRunReport(run.summary, run.runDir));
    return;
  }
  const { record, dir } = result.group;
  // A failed --apply/--push/--pr is an error line in every mode: the exit code (3) alone would not say which step.
  const deliveryError = record.apply_error ?? record.delivery_error;
  if (deliveryError && !chatty(flags)) io.stderr.write(`error: ${deliveryError}${record.applied_branch ? ` — the winner is kept on branch ${record.applied_branch} in ${record.applied_in ?? 'the mirror'}` : ''}\n`);
  if (flags.json) io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  else if (flags.quiet) io.stdout.write(`${dir}\n`);
  else {
    view?.finish(groupResultRows(record));
    io.stdout.write(renderGroupVerdict(record, runsDir));
  }
}

function chatty(flags: RunFlags): boolean {
  return !flags.json && !flags.quiet;
}

function nullStream(): NodeJS.WritableStream {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}

const ON_FINISH_LINES = 20;

/** --on-finish's output (on-finish.log) is shown after the result; with --quiet/--json only a failure is. */
async function reportOnFinish(io: CliIo, report: OnFinishReport, chatty: boolean): Promise<void> {
  if (!report.passed) {
    io.stderr.write(`dispatch: the --on-finish command failed (${report.exitCode === null ? 'timed out' : `exit ${report.exitCode}`}); its output: ${report.logPath}\n`);
  }
  if (!chatty) return;
  // on-finish.log opens with the command (`$ …`) and ends with dispatch's `[dispatch: exit N]`: show what lies between.
  const lines = (await readFile(report.logPath, 'utf8').catch(() => ''))
    .trimEnd()
    .split('\n')
    .filter((line, index, all) => line !== '' && !(index === 0 && line.startsWith('$ ')) && !(index === all.length - 1 && line.startsWith('[dispatch: ')));
  if (lines.length === 0) return void io.stdout.write(`on-finish: exit ${report.exitCode ?? '-'}, no output\n`);
  const shown = lines.slice(-ON_FINISH_LINES);
  const cut = lines.length > shown.length ? ` (last ${shown.length} of ${lines.length} lines; all in ${report.logPath})` : '';
  io.stdout.write(`on-finish: exit ${report.exitCode ?? '-'}${cut}\n${shown.map((line) => `  ${line}`).join('\n')}\n`);
}
