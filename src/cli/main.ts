import { CommanderError } from 'commander';
import { DispatchError, formatErrorLine } from '../errors.js';
import { processIo, type CliIo } from './io.js';
import { rewriteHints } from './invocation.js';
import { createProgram } from './program.js';

/**
 * The only place that maps errors to exit codes and prints them: user errors as one line,
 * commander's usage errors as exit 2, anything unexpected with its stack and exit 70.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    let exitCode = 0;
    await createProgram(io, (code) => (exitCode = code)).parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof DispatchError) {
      io.stderr.write(`${rewriteHints(formatErrorLine(error), io.invocation ?? 'dispatch')}\n`);
      return error.exitCode;
    }
    io.stderr.write(`internal error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return 70;
  }
}
