import type { Command } from 'commander';

/** `--queue` and `--detach` of `dispatch run`: submit to workers instead of running here. */
export function addQueueOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'submit to workers on this Redis queue instead of running here (env DISPATCH_QUEUE)')
    .option('--detach', 'with --queue: print the run id and return at once; follow with `dispatch logs -f <id>`');
}

export interface QueueFlags {
  queue?: string;
  detach?: boolean;
}
