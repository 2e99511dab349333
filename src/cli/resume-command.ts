import { Command } from 'commander';
import { resolveHome } from '../runs/home.js';
import { UsageError } from '../errors.js';
import { addAgentLimitOptions, minFreeOf } from './agent-limit-options.js';
import { requireFreeSpace } from '../runs/disk-space.js';
import { addAgentOptions, type AgentFlags } from './agent-options.js';
import type { CliIo } from './io.js';
import { parseDurationFlag, parseOutputCap, readTask } from './run-options.js';

interface ResumeFlags extends AgentFlags {
  model?: string;
  timeout: string;
  idleTimeout: string;
  killGrace: string;
  requireChanges?: boolean;
  minFree?: string;
  json?: boolean;
  quiet?: boolean;
  home?: string;
}

/** `dispatch resume <run-id> [follow-up...]`: continues the agent's own session in the same workspace. */
export function createResumeCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command('resume')
    .description("continue a run's agent session in its workspace, as a new run linked by parent_run_id")
    .argument('<run-id>', 'run id, unique prefix, latest, or a group id (its winner)')
    .argument('[follow-up...]', 'what to tell the agent; `-` reads it from stdin')
    .option('-m, --model <name>', "model, or an alias (default: the run's)");
  // The agent options default to the resumed run's own (its agent-options.json).
  return addAgentOptions(addAgentLimitOptions(command))
    .option('--json', 'print the final summary as JSON on stdout')
    .option('-q, --quiet', 'print only the run directory')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (ref: string, words: string[], flags: ResumeFlags) => {
      // Loaded on use, so other commands start without the run machinery.
      const [{ executeRun }, { DEFAULT_FOLLOW_UP, planResume }, { renderRunReport }, { acquireExclusiveLock }, { readRunSummary }, { readSavedAgentOptions }, { resolveResumeAgentOptions }] =
        await Promise.all([
          import('../modes/execute-run.js'),
          import('../modes/resume-plan.js'),
          import('../report/run-report.js'),
          import('../runs/exclusive-lock.js'),
          import('../runs/read-run.js'),
          import('../runs/agent-options-file.js'),
          import('./resume-agent-options.js'),
        ]);
      const home = resolveHome(flags.home, io.env);
      requireFreeSpace([home.runsDir, home.reposDir], minFreeOf(flags.minFree, io.env));
      const { describePick, resolveRunOrGroupMember } = await import('../runs/resolve-member.js');
      const picked = await resolveRunOrGroupMember(home.runsDir, ref);
      const note = describePick(picked, 'resuming');
      if (note && !flags.quiet) io.stderr.write(`${note}\n`);
      const parentRef = picked.ref;
      const parent = await readRunSummary(parentRef.dir);
      if (!parent) throw new UsageError(`run ${parentRef.id} has no readable summary.json`);
      const followUp = words.length > 0 ? await readTask(words, undefined, io) : DEFAULT_FOLLOW_UP;
      const agentOptions = await resolveResumeAgentOptions(parent.run_id, await readSavedAgentOptions(parentRef.dir), flags, io.env, home.root);
      const plan = planResume(parent, followUp, {
        ...agentOptions,
        timeoutMs: parseDurationFlag('--timeout', flags.timeout),
        idleTimeoutMs: parseDurationFlag('--idle-timeout', flags.idleTimeout),
        graceMs: parseDurationFlag('--kill-grace', flags.killGrace),
        outputCapBytes: parseOutputCap(io.env.DISPATCH_OUTPUT_CAP_BYTES),
        requireChanges: flags.requireChanges === true,
        home,
        env: io.env,
      });
      // Two agents must never work in one workspace at once.
      const unlock = await acquireExclusiveLock(`${plan.resume?.workspace ?? parentRef.dir}.resume-lock`, `a resume of ${parentRef.id}'s workspace`);
      const { exitCodeForSignal, watchInterrupts } = await import('./interrupts.js');
      const interrupts = watchInterrupts();
      try {
        const result = await executeRun(plan, { signal: interrupts.signal });
        if (flags.json) io.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
        else if (flags.quiet) io.stdout.write(`${result.runDir}\n`);
        else io.stdout.write(renderRunReport(result.summary, result.runDir));
        const interrupted = interrupts.received();
        setExitCode(interrupted ? exitCodeForSignal(interrupted) : result.exitCode);
      } finally {
        interrupts.dispose();
        await unlock();
      }
    });
}
