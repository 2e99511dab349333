import { Command } from 'commander';
import { resolveRunRef } from '../runs/find-run.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';
import { parseDurationFlag } from './run-options.js';

/** `dispatch cancel <run-id|group-id>`: stops a run or group that another dispatch is running. */
export function createCancelCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('cancel')
    .description('cancel a running run or group (from another shell)')
    .argument('<id>', 'run or group id, unique prefix, or latest')
    .option('--wait <duration>', 'how long to wait for the dispatcher to finish the run', '60s')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, flags: { wait: string; home?: string }) => {
      const { cancelRunOrGroup } = await import('../modes/cancel-run.js');
      const home = resolveHome(flags.home, io.env);
      const report = await cancelRunOrGroup(resolveRunRef(home.runsDir, ref), parseDurationFlag('--wait', flags.wait));
      const what = `${report.ref.kind} ${report.ref.id}`;
      if (report.before !== 'running') io.stdout.write(`${what} is not running (${report.before}); nothing to cancel\n`);
      else if (report.after === 'running') io.stdout.write(`${what}: cancel requested; its dispatcher has not finished yet, agent stopped\n`);
      else io.stdout.write(`${what}: ${report.after}\n`);
      setExitCode(0);
    });
}
