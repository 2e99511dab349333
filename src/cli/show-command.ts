import { Command } from 'commander';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';
import { watchBrokenPipe } from './list-command.js';

/** `dispatch show <run-id|group-id|latest>`: one run or group in full. */
export function createShowCommand(io: CliIo, _setExitCode: (code: number) => void): Command {
  return new Command('show')
    .description('show a run (or a group) in full: outcome, changes, check, usage, errors, paths, final message')
    .argument('<ref>', 'a run or group id, a unique prefix of one, its 6-character suffix, or `latest`')
    .option('--json', 'print summary.json (or group.json) as it stands')
    .option('-q, --quiet', 'print only the outcome (of a group: its status)')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: { json?: boolean; quiet?: boolean; home?: string }) => {
      watchBrokenPipe(io.stdout);
      const [{ loadEntry }, report] = await Promise.all([import('../runs/list-runs.js'), import('../report/show-report.js')]);
      const entry = await loadEntry(resolveHome(flags.home, io.env).runsDir, ref);
      // A run on a queue: its results are collected first when its job is done.
      if (entry.kind === 'run' && entry.summary.status === 'running') entry.summary = (await (await import('../queue/sync-queued-run.js')).syncQueuedRun(entry.dir, io.env)) ?? entry.summary;
      const content = entry.kind === 'run' ? entry.summary : entry.record;
      if (flags.json) io.stdout.write(`${JSON.stringify(content, null, 2)}\n`);
      else if (flags.quiet) io.stdout.write(`${entry.kind === 'run' ? (entry.summary.outcome ?? entry.summary.status) : entry.record.status}\n`);
      else if (entry.kind === 'run') io.stdout.write(`${report.renderRunDetails(entry.summary, entry.dir)}${await describeQueueWait(entry.dir, entry.summary.status)}`);
      else io.stdout.write(report.renderGroupDetails(entry.record, entry.dir, (io.stdout as { columns?: number }).columns));
    });
}

/** A queued run delayed by `--on-quota wait` says until when (queue.json's waiting_until). */
async function describeQueueWait(runDir: string, status: string): Promise<string> {
  if (status !== 'running') return '';
  const record = await (await import('../queue/queued-run.js')).readQueueRecord(runDir);
  if (!record?.waiting_until) return '';
  return `waiting: hit a usage limit; the job is delayed on the queue until ${new Date(record.waiting_until).toLocaleString()} (--on-quota wait), then a worker runs it again\n`;
}
