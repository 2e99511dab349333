import { hostname } from 'node:os';
import { renderRunReport } from '../report/run-report.js';
import type { DispatchRequest } from '../modes/dispatch-task.js';
import type { executeRun } from '../modes/execute-run.js';
import type { RunSummary } from '../runs/summary.js';
import { exitCodeForSignal, watchInterrupts } from './interrupts.js';
import type { CliIo } from './io.js';
import type { RunFlags } from './run-options.js';

type ExecuteRun = typeof executeRun;

/**
 * `dispatch --queue URL <repo> "task"`: queues the run, then (unless --detach) follows it
 * until a worker finishes it, and prints like a local run.
 */
export async function runOnQueue(io: CliIo, request: DispatchRequest, flags: RunFlags & { detach?: boolean }, queueUrl: string): Promise<number> {
  const [{ openQueueClient }, { submitRun }, { followQueuedRun }, { displayQueueUrl }] = await Promise.all([
    import('../queue/queue-client.js'),
    import('../queue/submit-run.js'),
    import('../queue/follow-queued-run.js'),
    import('../queue/queue-url.js'),
  ]);
  const chatty = !flags.json && !flags.quiet;
  const client = openQueueClient(queueUrl);
  try {
    const executor = request.executors[0] ?? 'codex';
    const { runId, runDir, noWorkerNow } = await submitRun(client, queueUrl, request);
    if (chatty) io.stderr.write(`dispatch: ${runId} queued on ${displayQueueUrl(queueUrl)} (${executor} on ${request.template.repo.displayUrl})\n  ${runDir}\n`);
    if (noWorkerNow) io.stderr.write(`dispatch: no live worker takes ${executor} jobs right now; the job waits for one (start \`dispatch worker --queue … --executor ${executor}\`)\n`);
    if (flags.detach) {
      io.stdout.write(flags.json ? `${JSON.stringify({ run_id: runId, run_dir: runDir })}\n` : `${runId}\n`);
      return 0;
    }
    const interrupts = watchInterrupts((signal) => {
      if (chatty) io.stderr.write(`\ndispatch: ${signal} received, cancelling the queued run…\n`);
    });
    let started = false;
    try {
      const summary = await followQueuedRun(client, runDir, runId, executor, io.env, {
        signal: interrupts.signal,
        onLine: (line) => {
          if (started || !chatty || !line.includes('"run.started"')) return;
          started = true;
          io.stderr.write(`dispatch: ${runId} started on a worker\n`);
        },
        onWaiting: (until) => {
          if (chatty && until) io.stderr.write(`dispatch: ${runId} hit a usage limit; the job waits on the queue (delayed) until ${new Date(until).toLocaleString()}, then a worker runs it again\n`);
        },
      });
      if (summary) printSummary(io, summary, runDir, flags);
      const interrupted = interrupts.received();
      if (interrupted) return exitCodeForSignal(interrupted);
      return summary?.dispatch_exit_code ?? 3;
    } finally {
      interrupts.dispose();
    }
  } finally {
    await client.close();
  }
}

function printSummary(io: CliIo, summary: RunSummary, runDir: string, flags: RunFlags): void {
  if (flags.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (flags.quiet) io.stdout.write(`${runDir}\n`);
  else io.stdout.write(renderRunReport(summary, runDir));
}

/** A group's members as jobs on the queue: the runner runGroup calls for each, and the connection to close after. */
export async function openQueueMembers(request: DispatchRequest, queueUrl: string, env: NodeJS.ProcessEnv): Promise<{ executeRun: ExecuteRun; close: () => Promise<void> }> {
  const [{ openQueueClient }, { createQueueMemberRunner }, { rejectLocalOnlyFlags }, { pingRedis }, { acquireQueueLock, holdQueueLock }] = await Promise.all([
    import('../queue/queue-client.js'),
    import('../queue/queue-member.js'),
    import('../queue/job-spec.js'),
    import('../queue/connection.js'),
    import('../queue/overlap-lock.js'),
  ]);
  rejectLocalOnlyFlags(request);
  await pingRedis(queueUrl);
  const client = openQueueClient(queueUrl);
  // --no-overlap across machines: the group holds the job's lock while this process runs it.
  let releaseLock = () => Promise.resolve();
  if (request.overlapKey) {
    const holder = `group submitted from ${hostname()} (pid ${process.pid})`;
    try {
      await acquireQueueLock(client.redis, request.overlapKey, holder, 60_000);
    } catch (error) {
      await client.close();
      throw error;
    }
    releaseLock = holdQueueLock(client.redis, request.overlapKey, holder, 60_000);
  }
  return {
    executeRun: createQueueMemberRunner(client, queueUrl, env),
    close: async () => {
      await releaseLock();
      await client.close();
    },
  };
}
