import { join } from 'node:path';
import { copyEnv } from '../executors/agent-home.js';
import type { Redactor } from '../runs/redact.js';
import type { ShellCommand } from './run-plan.js';
import { runShellStep } from './shell-step.js';

/**
 * `--on-finish CMD` (mail, chat hook): runs once the run or group is final, in its directory,
 * with DISPATCH_SUMMARY pointing at summary.json or group.json. Its output goes to on-finish.log;
 * its failure is reported but does not change the run's outcome.
 */
export async function runOnFinish(opts: {
  command: ShellCommand;
  dir: string;
  summaryPath: string;
  env: NodeJS.ProcessEnv;
  graceMs: number;
  redact: Redactor;
}): Promise<{ passed: boolean; exitCode: number | null }> {
  const step = await runShellStep({
    command: opts.command.command,
    cwd: opts.dir,
    env: { ...copyEnv(opts.env), DISPATCH_SUMMARY: opts.summaryPath },
    logPath: join(opts.dir, 'on-finish.log'),
    timeoutMs: opts.command.timeoutMs,
    graceMs: opts.graceMs,
    redact: opts.redact,
  });
  return { passed: step.passed, exitCode: step.exitCode };
}
