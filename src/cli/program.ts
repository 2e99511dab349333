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

type CommandFactory = (io: CliIo, setExitCode: (code: number) => void) => Command;

/** The subcommands by name, in the order `dispatch --help` lists them; run is the default. */
const COMMANDS: ReadonlyArray<readonly [string, CommandFactory]> = [
  ['run', createRunCommand],
  ['list', createListCommand],
  ['show', createShowCommand],
  ['logs', createLogsCommand],
  ['diff', createDiffCommand],
  ['compare', createCompareCommand],
  ['report', createReportCommand],
  ['resume', createResumeCommand],
  ['cancel', createCancelCommand],
  ['prune', createPruneCommand],
  ['doctor', createDoctorCommand],
  ['config', createConfigCommand],
  ['demo', createDemoCommand],
  ['worker', createWorkerCommand],
];

/**
 * The commander program: one file per command, each turning flags into one domain call.
 * Given the arguments, it holds only the commands they can reach (see commandsReached);
 * without them, every command.
 */
export function createProgram(io: CliIo, setExitCode: (code: number) => void, argv?: readonly string[]): Command {
  const program = configureCommand(
    new Command('dispatch')
      .description('Run coding agents (codex, claude) headless on isolated git worktrees.')
      .version(dispatcherVersion, '-V, --version'),
    io,
  );
  const reached = argv === undefined ? 'all' : commandsReached(argv);
  for (const [name, create] of COMMANDS) {
    if (reached === 'all' || reached.includes(name)) program.addCommand(configureCommand(create(io, setExitCode), io), { isDefault: name === 'run' });
  }
  return program;
}

/**
 * The commands commander can dispatch these arguments to, told the way it parses them (the
 * program's own options, -V and -h, take no value): -V first prints the version before any
 * command; a first word naming a command goes to that command; a first word that is not
 * one, or an unknown option first, goes to run, the default. Anything that can print the
 * program's help or reach a command elsewhere (`help`, -h/--help anywhere, `--`, no
 * arguments) needs them all. Building one command instead of fourteen saves a few
 * milliseconds at every start (run alone, with its fifty options, ~2 ms).
 */
export function commandsReached(argv: readonly string[]): 'all' | string[] {
  const first = argv[0];
  if (first === undefined || first === 'help' || argv.some((arg) => arg === '-h' || arg === '--help' || arg === '--')) return 'all';
  if (first === '--version' || /^-V/.test(first)) return [];
  return COMMANDS.some(([name]) => name === first) ? [first] : ['run'];
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
