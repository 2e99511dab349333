import { Command } from 'commander';
import { parseExecutorList } from '../executors/registry.js';
import { resolveHome } from '../runs/home.js';
import { exitCodeForSignal, watchInterrupts } from './interrupts.js';
import type { CliIo } from './io.js';

/** `dispatch demo`: the whole main job offline, with the real CLIs and the scripted model server. */
export function createDemoCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('demo')
    .description('run both real agent CLIs offline against a scripted model server on a sample repo')
    .option('-e, --executor <names>', 'codex, claude, both, or a comma list', 'both')
    .option('--home <dir>', 'where runs/, repos/ and demo/ live (env DISPATCH_HOME)')
    .action(async (flags: { executor: string; home?: string }) => {
      // Loaded on use: the model server is needed by the demo only.
      const [{ runDemo }, { groupResultRows, renderGroupVerdict }, { renderRunReport }, { watchGroupProgress }] = await Promise.all([
        import('../demo/run-demo.js'),
        import('../report/group-report.js'),
        import('../report/run-report.js'),
        import('./group-progress.js'),
      ]);
      const home = resolveHome(flags.home, io.env);
      const interrupts = watchInterrupts();
      try {
        const progress = watchGroupProgress(io.stdout);
        const result = await runDemo({
          home,
          env: io.env,
          executors: parseExecutorList(flags.executor),
          hooks: { run: { signal: interrupts.signal }, group: { ...progress.hooks, signal: interrupts.signal } },
          onReady: ({ serverUrl, repoDir }) => {
            io.stdout.write(`Outpost demo — offline: a scripted model server at ${serverUrl} stands in for the model APIs.\n`);
            io.stdout.write(`Sample repository: ${repoDir}\nDispatching the real pinned CLIs…\n\n`);
          },
        });
        const runs = result.kind === 'single' ? [result.run] : result.group.results;
        if (result.kind === 'group') {
          progress.view()?.finish(groupResultRows(result.group.record));
          io.stdout.write(`\n${renderGroupVerdict(result.group.record, home.runsDir)}\n`);
        }
        for (const run of runs) io.stdout.write(`${renderRunReport(run.summary, run.runDir)}\n`);
        const first = runs[0]?.runId ?? '<run-id>';
        io.stdout.write(`Next: dispatch logs ${first}   (what the agent did)\n      dispatch diff ${first}   (what it changed)\n`);
        if (result.kind === 'group') io.stdout.write(`      dispatch compare ${result.group.groupId}   (the agents side by side)\n`);
        const interrupted = interrupts.received();
        // The demo proves every agent works: any run that did not succeed fails it.
        setExitCode(interrupted ? exitCodeForSignal(interrupted) : Math.max(...runs.map((run) => run.exitCode)));
      } finally {
        interrupts.dispose();
      }
    });
}
