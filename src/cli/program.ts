import { Command } from 'commander';
import { dispatcherVersion } from '../package-info.js';
import type { CliIo } from './io.js';
import { createRunCommand } from './run-command.js';

/** The commander program: one file per command, each turning flags into one domain call. */
export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('dispatch')
    .description('Run coding agents (codex, claude) headless on isolated git worktrees.')
    .version(dispatcherVersion, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run `dispatch --help` for usage)');
  program.addCommand(createRunCommand(io, setExitCode), { isDefault: true });
  return program;
}
