import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseExecutorList } from '../executors/executor-names.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';
import { parsePositiveInt } from './run-options.js';
import { parseWorkspacePool } from '../repos/pool-size.js';

/** `dispatch worker --queue redis://…`: runs queued jobs on this machine until SIGTERM/SIGINT. */
export function createWorkerCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('worker')
    .description('take jobs from a Redis queue (BullMQ) and run them here, like local runs, until stopped')
    .option('--queue <url>', 'the queue: redis://host:6379 (env DISPATCH_QUEUE)')
    .option('-e, --executor <names>', 'executors to take jobs for (those installed and logged in): codex, claude, both, or a comma list', 'both')
    .option('--concurrency <k>', 'jobs run at once, per executor', '2')
    .option('--home <dir>', 'where this worker keeps runs/ and repos/ (env DISPATCH_HOME)')
    .action(async (flags: { queue?: string; executor: string; concurrency: string; home?: string }) => {
      const [{ resolveQueueUrl }, { runWorker }] = await Promise.all([import('../queue/queue-url.js'), import('../queue/run-worker.js')]);
      const queueUrl = resolveQueueUrl(flags.queue, io.env);
      if (!queueUrl) throw new UsageError('dispatch worker needs a queue', 'pass --queue redis://host:6379 or set DISPATCH_QUEUE');
      // Read again for every job (runPlanOf): a bad value fails here, before any job is taken.
      parseWorkspacePool(io.env.DISPATCH_WORKSPACE_POOL);
      const stopRequested = new Promise<string>((resolve) => {
        for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(signal));
      });
      setExitCode(
        await runWorker({
          queueUrl,
          executors: parseExecutorList(flags.executor),
          concurrency: parsePositiveInt('--concurrency', flags.concurrency),
          home: resolveHome(flags.home, io.env),
          env: io.env,
          log: (line) => io.stderr.write(`${line}\n`),
          stopRequested,
        }),
      );
    });
}
