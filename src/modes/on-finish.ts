import { join } from 'node:path';
import { copyEnv } from '../executors/agent-home.js';
import type { Redactor } from '../runs/redact.js';
import type { ShellCommand } from './run-plan.js';
import { runShellStep } from './shell-step.js';

/**
 * `--on-finish CMD` (mail, chat hook): runs once the run or group is final, in its directory,
 * with DISPATCH_SUMMARY pointing at summary.json or group.json
 * and DISPATCH_REPORT at the HTML report. Its output goes to on-finish.log;
 * its failure is reported but does not change the run's outcome.
 */
export async function runOnFinish(opts: {
  command: ShellCommand;
  dir: string;
  summaryPath: string;
  /** The HTML report (report.html), when it could be written: DISPATCH_REPORT. */
  reportPath?: string | null;
  env: NodeJS.ProcessEnv;
  graceMs: number;
  redact: Redactor;
}): Promise<{ passed: boolean; exitCode: number | null }> {
  const step = await runShellStep({
    command: opts.command.command,
    cwd: opts.dir,
    env: { ...copyEnv(opts.env), DISPATCH_SUMMARY: opts.summaryPath, ...(opts.reportPath ? { DISPATCH_REPORT: opts.reportPath } : {}) },
    logPath: join(opts.dir, 'on-finish.log'),
    timeoutMs: opts.command.timeoutMs,
    graceMs: opts.graceMs,
    redact: opts.redact,
  });
  return { passed: step.passed, exitCode: step.exitCode };
}
