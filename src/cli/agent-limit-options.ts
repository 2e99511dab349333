import type { Command } from 'commander';

/** The limits every command that runs an agent takes (run, resume). */
export function addAgentLimitOptions(command: Command): Command {
  return command
    .option('--timeout <duration>', 'wall-clock limit for the agent', '60m')
    .option('--idle-timeout <duration>', 'stop the agent after this long without output', '15m')
    .option('--kill-grace <duration>', 'time between SIGTERM and SIGKILL when stopping an agent', '5s')
    .option('--require-changes', 'treat a run that changed nothing as a failure (exit 5)');
}
