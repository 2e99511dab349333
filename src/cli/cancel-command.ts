import { Command } from 'commander';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';
import { parseDurationFlag } from './run-options.js';

/** `dispatch cancel <run-id|group-id>`: stops a run or group that another dispatch is running. */
export function createCancelCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('cancel')
    .description('cancel a running run or group (from another shell)')
    .argument('<id>', 'run or group id, unique prefix, or latest')
    .option('--wait <duration>', 'how long to wait for the dispatcher to finish the run', '60s')
    .option('--json', 'print what was cancelled as JSON: {kind, id, before, after}')
    .option('-q, --quiet', 'print nothing (the exit code says it worked)')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: { wait: string; json?: boolean; quiet?: boolean; home?: string }) => {
      const [{ cancelRunOrGroup }, { resolveRunRef }] = await Promise.all([import('../modes/cancel-run.js'), import('../runs/find-run.js')]);
      const home = resolveHome(flags.home, io.env);
      const runRef = resolveRunRef(home.runsDir, ref);
      const waitMs = parseDurationFlag('--wait', flags.wait);
      // A run on a queue is cancelled through the queue: its worker stops the agent.
      const queued = runRef.kind === 'run' ? await (await import('../queue/sync-queued-run.js')).cancelQueuedRun(runRef.dir, io.env, waitMs) : null;
      const report = queued ? { ref: runRef, ...queued } : await cancelRunOrGroup(runRef, waitMs);
      if (flags.json) io.stdout.write(`${JSON.stringify({ kind: report.ref.kind, id: report.ref.id, before: report.before, after: report.after })}\n`);
      // --quiet prints nothing: cron mails whatever a job prints.
      else if (!flags.quiet) io.stdout.write(describeCancel(report));
      setExitCode(0);
    });
}

function describeCancel(report: { ref: { kind: string; id: string }; before: string; after: string }): string {
  const what = `${report.ref.kind} ${report.ref.id}`;
  if (report.before !== 'running') return `${what} is not running (${report.before}); nothing to cancel\n`;
  if (report.after === 'running') return `${what}: cancel requested; its dispatcher has not finished yet, agent stopped\n`;
  return `${what}: ${report.after}\n`;
}
