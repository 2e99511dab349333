import { Command } from 'commander';
import { dispatcherVersion } from '../package-info.js';
import type { CliIo } from './io.js';
import { createDemoCommand } from './demo-command.js';
import { createDoctorCommand } from './doctor-command.js';
import { createCancelCommand } from './cancel-command.js';
import { createPruneCommand } from './prune-command.js';
import { createReportCommand } from './report-command.js';
import { createResumeCommand } from './resume-command.js';
import { createCompareCommand } from './compare-command.js';
import { createConfigCommand } from './config-command.js';
import { createDiffCommand } from './diff-command.js';
import { createLogsCommand } from './logs-command.js';
import { createListCommand } from './list-command.js';
import { createRunCommand } from './run-command.js';
import { createShowCommand } from './show-command.js';
import { createWorkerCommand } from './worker-command.js';

/** The commander program: one file per command, each turning flags into one domain call. */
export function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = configureCommand(
    new Command('dispatch')
      .description('Run coding agents (codex, claude) headless on isolated git worktrees.')
      .version(dispatcherVersion, '-V, --version'),
    io,
  );
  program.addCommand(configureCommand(createRunCommand(io, setExitCode), io), { isDefault: true });
  const commands = [
    createListCommand,
    createShowCommand,
    createLogsCommand,
    createDiffCommand,
    createCompareCommand,
    createReportCommand,
    createResumeCommand,
    createCancelCommand,
    createPruneCommand,
    createDoctorCommand,
    createConfigCommand,
    createDemoCommand,
    createWorkerCommand,
  ];
  for (const create of commands) program.addCommand(configureCommand(create(io, setExitCode), io));
  return program;
}

/** Settings every command needs: errors thrown to main (exit 2), output to the given streams. */
function configureCommand(command: Command, io: CliIo): Command {
  return command
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError(`(run \`${io.invocation ?? 'dispatch'} --help\` for usage)`);
}
