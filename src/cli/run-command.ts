import { Command, Option } from 'commander';
import { addAgentLimitOptions } from './agent-limit-options.js';
import { addAgentOptions, type AgentFlags } from './agent-options.js';
import type { CliIo } from './io.js';
import { addQueueOptions } from './queue-options.js';
import type { RunFlags } from './run-options.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `dispatch [run] [options] <repo> [task...]`: the default command. */
export function createRunCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command('run')
    .description('run agents on a task, each in a fresh worktree of the repo (the default command)')
    .argument('<repo>', 'bare name (with DISPATCH_REMOTE_BASE), owner/name, git URL, or local path')
    .argument('[task...]', 'the task; `-` reads it from stdin')
    .addOption(new Option('-e, --executor <names>', 'codex, claude, both, or a comma list').default('codex'))
    .option('-n, --attempts <n>', 'attempts per executor', '1')
    .option('--concurrency <k>', 'agents running at once', '4')
    .option('--race', 'first run that succeeds (and passes --check) wins; the others are stopped')
    .option('--fallback <executor>', 'rerun a failed run (quota, auth, error, timeout, infra) with this executor')
    .option('--on-quota <action>', 'when a run hits a usage or rate limit: fail, fallback (the default with --fallback), or wait for the reset and run again')
    .option('--max-wait <duration>', 'the longest --on-quota wait waits for one task, in all', '6h')
    .option('-m, --model <name>', "model passed to the agent, or an alias: fast, smart, or one a config defines (default: the agent's own)")
    .option('-b, --branch <branch>', "base branch (default: the remote's HEAD)")
    .addOption(
      new Option('--sandbox <mode>', 'what the agent may do').choices(['read-only', 'workspace-write', 'full']).default('workspace-write'),
    );
  return addQueueOptions(addAgentOptions(addAgentLimitOptions(command)))
    .option('--task-file <file>', 'read the task from a file')
    .option('--check <cmd>', 'shell command run in the workspace after the agent; scores best-of-N; failing it is check_failed')
    .option('--check-timeout <duration>', 'time limit of --check', '20m')
    .option('--setup <cmd>', 'shell command run in each fresh worktree before the agent (install dependencies)')
    .option('--setup-timeout <duration>', 'time limit of --setup', '20m')
    .option('--fetch-timeout <duration>', 'time limit of the fetch from the remote (and of --push), for a remote that never answers', '10m')
    .option('--copy <path>', 'copy a file or folder (a git-ignored .env, say) into each worktree (repeatable)', collect, [])
    .option('--on-finish <cmd>', 'shell command run at the end, with DISPATCH_SUMMARY set to summary.json or group.json and DISPATCH_REPORT to the HTML report')
    .option('--budget-usd <usd>', 'stop the group once its agents have spent this much')
    .option('--budget-tokens <n>', 'stop the group once its agents have used this many tokens')
    .option('--apply', "commit the winner's diff as branch dispatch/<group-id> (in your repo when <repo> is a local path; HEAD, index and files untouched)")
    .option('--push', "--apply, then push that branch to the repo's origin")
    .option('--pr', '--push, then open a pull request with the GitHub CLI (gh): the task, the winner and why, the check, every run')
    .option('--no-overlap', 'exit 4 at once if the same repo + task is already being dispatched (cron)')
    .option('--lock-key <key>', 'like --no-overlap, with your own name for the job')
    .option('--label <key=value>', 'label kept in summary.json (repeatable)', collect, [])
    .option('--keep-workspace', 'keep the worktree after the run (default)', true)
    .option('--no-keep-workspace', 'remove the worktree once diff.patch is written')
    .option('--workspace-pool <n>', 'worktrees not kept are reset and parked, up to N per repo, for the next runs to reuse instead of checking out anew; 0 = off (env DISPATCH_WORKSPACE_POOL; default 2)')
    .option('--json', 'print the final summary (or group.json) as JSON on stdout')
    .option('-q, --quiet', 'print only the run (or group) directory')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (repoArg: string, words: string[], flags: RunFlags & AgentFlags, self: Command) => {
      // Loaded on use, so other commands start without the dispatch machinery.
      const [{ runCommand }, { applyRunConfig }, { fetchRemoteRepoConfigForRun }, { watchInterrupts }] = await Promise.all([
        import('./run-action.js'), import('./run-config.js'), import('./remote-repo-config.js'), import('./interrupts.js'),
      ]);
      // A remote repo's .dispatch.json needs its mirror fetched first; a signal meanwhile stops git and cancels the run.
      const interrupts = watchInterrupts();
      const remote = await fetchRemoteRepoConfigForRun(io, repoArg, { home: flags.home, branch: flags.branch, fetchTimeout: flags.fetchTimeout, signal: interrupts.signal }).finally(() => interrupts.dispose());
      const config = await applyRunConfig(io, repoArg, flags, self, flags.home, remote);
      setExitCode(await runCommand(io, repoArg, words, flags, config.aliases, interrupts.received()));
    });
}
