import { Command } from 'commander';
import { parseExecutorList } from '../executors/executor-names.js';
import { renderDoctorReport } from '../report/doctor-report.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

/** `dispatch doctor`: what this machine has for running agents; exit 0 when ready, 3 otherwise. */
export function createDoctorCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('doctor')
    .description('check git, the agent CLIs and their versions, logins (kind, expiry, parallel safety), disk and queue')
    .option('-e, --executor <names>', 'executors that must be ready: codex, claude, both, or a comma list', 'codex')
    .option('--json', 'print the checks as JSON')
    .option('-q, --quiet', 'print nothing; the exit code says whether the machine is ready (0) or not (3)')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .option('--queue <url>', 'check this Redis queue and list its live workers (env DISPATCH_QUEUE)')
    .action(async (flags: { executor: string; json?: boolean; quiet?: boolean; home?: string; queue?: string }) => {
      const { runDoctor } = await import('../doctor/run-doctor.js');
      const env = flags.queue ? { ...io.env, DISPATCH_QUEUE: flags.queue } : io.env;
      const report = await runDoctor(parseExecutorList(flags.executor), resolveHome(flags.home, env), env);
      if (flags.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (!flags.quiet) io.stdout.write(renderDoctorReport(report));
      setExitCode(report.ready ? 0 : 3);
    });
}
