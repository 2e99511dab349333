import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { requireBinary } from '../executors/find-binary.js';
import { getExecutor, parseExecutorList } from '../executors/registry.js';
import { executeRun } from '../modes/execute-run.js';
import type { RunPlan } from '../modes/run-plan.js';
import { renderRunReport } from '../report/run-report.js';
import { parseRepoArg } from '../repos/repo-arg.js';
import { resolveHome } from '../runs/home.js';
import { exitCodeForSignal, watchInterrupts } from './interrupts.js';
import type { CliIo } from './io.js';
import {
  parseDurationFlag,
  parseLabels,
  parseOutputCap,
  parseCopyItems,
  parseSandbox,
  readTask,
  readUserFile,
  type RunFlags,
} from './run-options.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `dispatch [run] [options] <repo> [task...]`: the default command. */
export function createRunCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('run')
    .description('run an agent on a task in a fresh worktree of a repo (the default command)')
    .argument('<repo>', 'bare name (with DISPATCH_REMOTE_BASE), owner/name, git URL, or local path')
    .argument('[task...]', 'the task; `-` reads it from stdin')
    .addOption(new Option('-e, --executor <name>', 'codex, claude, both, or a comma list').default('codex'))
    .option('-m, --model <name>', "model passed to the agent (default: the agent's own)")
    .option('-b, --branch <branch>', "base branch (default: the remote's HEAD)")
    .addOption(
      new Option('--sandbox <mode>', 'what the agent may do').choices(['read-only', 'workspace-write', 'full']).default('workspace-write'),
    )
    .option('--timeout <duration>', 'wall-clock limit for the agent', '60m')
    .option('--idle-timeout <duration>', 'stop the agent after this long without output', '15m')
    .option('--kill-grace <duration>', 'time between SIGTERM and SIGKILL when stopping an agent', '5s')
    .option('--instructions <file>', 'extra system/developer instructions for the agent')
    .option('--task-file <file>', 'read the task from a file')
    .option('--label <key=value>', 'label kept in summary.json (repeatable)', collect, [])
    .option('--check <cmd>', 'shell command run in the workspace after the agent; failing it is outcome check_failed')
    .option('--check-timeout <duration>', 'time limit of --check', '20m')
    .option('--setup <cmd>', 'shell command run in each fresh worktree before the agent (install dependencies)')
    .option('--setup-timeout <duration>', 'time limit of --setup', '20m')
    .option('--copy <path>', 'copy a file or folder (a git-ignored .env, say) into each worktree (repeatable)', collect, [])
    .option('--require-changes', 'treat a run that changed nothing as a failure (exit 5)')
    .option('--keep-workspace', 'keep the worktree after the run (default)', true)
    .option('--no-keep-workspace', 'remove the worktree once diff.patch is written')
    .option('--json', 'print the final summary as JSON on stdout')
    .option('-q, --quiet', 'print only the run directory')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (repoArg: string, words: string[], flags: RunFlags) => {
      setExitCode(await runCommand(io, repoArg, words, flags));
    });
}

/** Validates everything before a file is written, then runs. Returns the exit code. */
async function runCommand(io: CliIo, repoArg: string, words: string[], flags: RunFlags): Promise<number> {
  const names = parseExecutorList(flags.executor);
  if (names.length !== 1) {
    throw new UsageError(
      `--executor ${flags.executor} runs several agents, which this version does not do yet`,
      'pick one executor: --executor codex or --executor claude',
    );
  }
  const executorName = names[0] ?? 'codex';
  const plan: RunPlan = {
    executor: executorName,
    bin: requireBinary(getExecutor(executorName), io.env),
    repo: parseRepoArg(repoArg, { remoteBase: io.env.DISPATCH_REMOTE_BASE, cwd: io.cwd }),
    task: await readTask(words, flags.taskFile, io.stdin),
    instructions: flags.instructions ? await readUserFile('--instructions', flags.instructions) : undefined,
    model: flags.model,
    branch: flags.branch,
    sandbox: parseSandbox(flags.sandbox),
    timeoutMs: parseDurationFlag('--timeout', flags.timeout),
    idleTimeoutMs: parseDurationFlag('--idle-timeout', flags.idleTimeout),
    graceMs: parseDurationFlag('--kill-grace', flags.killGrace),
    outputCapBytes: parseOutputCap(io.env.DISPATCH_OUTPUT_CAP_BYTES),
    labels: parseLabels(flags.label),
    check: flags.check ? { command: flags.check, timeoutMs: parseDurationFlag('--check-timeout', flags.checkTimeout) } : undefined,
    setup: flags.setup ? { command: flags.setup, timeoutMs: parseDurationFlag('--setup-timeout', flags.setupTimeout) } : undefined,
    copy: parseCopyItems(flags.copy, io.cwd),
    keepWorkspace: flags.keepWorkspace,
    requireChanges: flags.requireChanges === true,
    home: resolveHome(flags.home, io.env),
    env: io.env,
    mode: 'single',
    groupId: null,
  };
  const chatty = !flags.json && !flags.quiet;
  const interrupts = watchInterrupts((signal) => {
    if (chatty) io.stderr.write(`\ndispatch: ${signal} received, stopping the agent…\n`);
  });
  try {
    const result = await executeRun(plan, {
      signal: interrupts.signal,
      onRunCreated: (runId, runDir) => {
        if (chatty) io.stderr.write(`dispatch: ${runId} started (${plan.executor} on ${plan.repo.displayUrl})\n  ${runDir}\n`);
      },
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
    else if (flags.quiet) io.stdout.write(`${result.runDir}\n`);
    else io.stdout.write(renderRunReport(result.summary, result.runDir));
    const interrupted = interrupts.received();
    return interrupted ? exitCodeForSignal(interrupted) : result.exitCode;
  } finally {
    interrupts.dispose();
  }
}
