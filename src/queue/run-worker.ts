import { Worker } from 'bullmq';
import { hostname } from 'node:os';
import { nanoid } from 'nanoid';
import { AuthError } from '../errors.js';
import type { ExecutorName } from '../executors/types.js';
import type { DispatchHome } from '../runs/home.js';
import { connectRedis, pingRedis } from './connection.js';
import { displayQueueUrl } from './queue-url.js';
import type { QueueJobData, QueueJobResult } from './job-spec.js';
import { processJob, type ActiveJob, type JobContext } from './process-job.js';
import { JOB_RETENTION, keys, queueNameFor, readQueueSettings } from './queue-settings.js';
import { checkCapabilities } from './worker-capabilities.js';
import { describeWorkerSelf, startHeartbeat } from './worker-registry.js';
import { startWatchdog } from './worker-watchdog.js';

export interface WorkerOptions {
  queueUrl: string;
  executors: ExecutorName[];
  concurrency: number;
  home: DispatchHome;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Resolves when the worker should stop (SIGTERM/SIGINT). */
  stopRequested: Promise<string>;
}

/**
 * `dispatch worker`: takes jobs from the queues of the executors this machine can run,
 * until asked to stop; then lets running jobs finish for up to the drain time and requeues
 * the rest. Returns the exit code.
 */
export async function runWorker(opts: WorkerOptions): Promise<number> {
  await pingRedis(opts.queueUrl);
  const settings = readQueueSettings(opts.env);
  const capabilities = checkCapabilities(opts.executors, opts.env);
  for (const c of capabilities) if (c.problem) opts.log(`worker: not taking ${c.executor} jobs: ${c.problem}`);
  const runnable = capabilities.filter((c) => c.problem === null && c.bin);
  if (runnable.length === 0) throw new AuthError('this worker can run none of the asked executors', 'install the CLI and log in (see `dispatch doctor`), then start the worker again');

  const id = `${hostname()}-${process.pid}-${nanoid(4)}`;
  const redis = connectRedis(opts.queueUrl);
  const subscriber = connectRedis(opts.queueUrl);
  const active = new Map<string, ActiveJob>();
  startWatchdog(opts.home.runsDir);
  const heartbeat = startHeartbeat(redis, describeWorkerSelf(id, runnable.map((c) => c.executor), opts.concurrency));
  await subscriber.subscribe(keys.cancelChannel);
  subscriber.on('message', (_channel, message: string) => {
    const [runId = '', reason = 'cancelled'] = message.split(' ');
    active.get(runId)?.controller.abort(reason);
  });

  // BullMQ leaves connections it was given open: each is closed here once its worker is.
  const connections = [redis, subscriber];
  const workers = runnable.map((c) => {
    const connection = connectRedis(opts.queueUrl);
    connections.push(connection);
    const ctx: JobContext = { redis, workerId: id, home: opts.home, env: opts.env, bin: c.bin ?? '', ttlSeconds: settings.keyTtlSeconds, active };
    const worker = new Worker<QueueJobData, QueueJobResult>(queueNameFor(c.executor), (job, token) => processJob(ctx, job, token), {
      connection,
      concurrency: opts.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
      ...JOB_RETENTION,
    });
    worker.on('active', () => heartbeat.update({ active: active.size }));
    worker.on('completed', (job, result) => {
      heartbeat.update({ active: active.size });
      // Only the attempt BullMQ completed is the run's record: the submitter collects that one.
      void redis.set(keys.final(job.data.runId), result.attempt, 'EX', settings.keyTtlSeconds).catch(() => undefined);
    });
    worker.on('error', (error) => opts.log(`worker: ${error.message}`));
    // Redis answered that the job's lock is no longer ours (it lapsed, and the stalled check
    // gave the job to another worker): this agent stops, so no two agents work on one job.
    worker.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const jobId of jobIds) {
        const running = active.get(jobId);
        if (!running) continue;
        opts.log(`worker: lost the lock of ${jobId} (another worker has it now); stopping it here`);
        running.superseded = true;
        running.controller.abort('cancelled');
      }
    });
    return worker;
  });
  opts.log(`worker ${id}: taking ${runnable.map((c) => c.executor).join(', ')} jobs from ${displayQueueUrl(opts.queueUrl)} (concurrency ${opts.concurrency})`);

  const reason = await opts.stopRequested;
  heartbeat.update({ draining: true });
  opts.log(`worker: ${reason} received; ${active.size} running job(s) get ${Math.round(settings.drainMs / 1000)}s to finish, then are requeued`);
  const requeue = setTimeout(() => {
    for (const [runId, job] of active) {
      opts.log(`worker: requeueing ${runId}`);
      job.requeue = true;
      job.controller.abort('interrupted');
    }
  }, settings.drainMs);
  await Promise.all(workers.map((worker) => worker.close()));
  clearTimeout(requeue);
  await heartbeat.stop();
  for (const connection of connections) connection.disconnect();
  opts.log('worker: stopped');
  return 0;
}
