import { CommanderError } from 'commander';
import { DispatchError, formatErrorLine, InfraError } from '../errors.js';
import { describeDiskFull, isDiskFull } from '../runs/disk-space.js';
import { processIo, type CliIo } from './io.js';
import { rewriteHints } from './invocation.js';
import { createProgram } from './program.js';

/**
 * The only place that maps errors to exit codes and prints them: user errors as one line,
 * commander's usage errors as exit 2, a full disk as one line and exit 3, anything unexpected
 * with its stack and exit 70.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    let exitCode = 0;
    await createProgram(io, (code) => (exitCode = code), argv).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    const known = isDiskFull(error) && !(error instanceof DispatchError) ? diskFullError(error) : error;
    if (known instanceof DispatchError) {
      io.stderr.write(`${rewriteHints(formatErrorLine(known), io.invocation ?? 'dispatch')}\n`);
      return known.exitCode;
    }
    io.stderr.write(`internal error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  }
}

/** A write that failed on a full disk before any run could record it (creating the run directory). */
function diskFullError(error: unknown): InfraError {
  const path = (error as NodeJS.ErrnoException).path;
  const what = typeof path === 'string' ? describeDiskFull(path) : `the disk is full: ${(error as Error).message}`;
  return new InfraError(what, 'free space and run again');
}
