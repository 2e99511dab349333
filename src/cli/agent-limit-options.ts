import type { Command } from 'commander';
import { parseMinFree } from '../runs/disk-space.js';

/** The limits every command that runs an agent takes (run, resume). */
export function addAgentLimitOptions(command: Command): Command {
  return command
    .option('--timeout <duration>', 'wall-clock limit for the agent', '60m')
    .option('--idle-timeout <duration>', 'stop the agent after this long without output', '15m')
    .option('--kill-grace <duration>', 'time between SIGTERM and SIGKILL when stopping an agent', '5s')
    .option('--min-free <size>', 'free disk space needed under the home to start (100MB, 2G, 0 = no check; env DISPATCH_MIN_FREE)')
    .option('--require-changes', 'treat a run that changed nothing as a failure (exit 5)');
}

/** --min-free, else DISPATCH_MIN_FREE, else 100 MB. */
export function minFreeOf(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  return flag !== undefined ? parseMinFree(flag) : parseMinFree(env.DISPATCH_MIN_FREE, 'DISPATCH_MIN_FREE');
}
