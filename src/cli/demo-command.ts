import { Command } from 'commander';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseExecutorList } from '../executors/executor-names.js';
import type { DemoEnvironment } from '../demo/run-demo.js';
import type { DispatchResult } from '../modes/dispatch-task.js';
import type { ProgressView } from '../report/progress-view.js';
import { resolveHome } from '../runs/home.js';
import type { Interrupts } from './interrupts.js';
import type { CliIo } from './io.js';
import { parsePort } from './run-options.js';

interface DemoFlags {
  executor: string;
  serve?: boolean;
  port?: string;
  home?: string;
}

/** `dispatch demo`: the whole main job offline, with the real CLIs and the scripted model server. */
export function createDemoCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return new Command('demo')
    .description('run both real agent CLIs offline against a scripted model server on a sample repo')
    .option('-e, --executor <names>', 'codex, claude, both, or a comma list', 'both')
    .option('--serve', 'then keep the scripted server running (until Ctrl-C) and print the environment to try resume, races and failures offline')
    .option('--port <port>', 'port of the scripted server on 127.0.0.1 (default: any free one)')
    .option('--home <dir>', 'where runs/, repos/ and demo/ live (env DISPATCH_HOME)')
    .action(async (flags: DemoFlags) => {
      // Loaded on use: the model server is needed by the demo only.
      const { startDemoEnvironment, dispatchDemoTask } = await import('../demo/run-demo.js');
      const { exitCodeForSignal, watchInterrupts } = await import('./interrupts.js');
      const home = resolveHome(flags.home, io.env);
      const executors = parseExecutorList(flags.executor);
      const interrupts = watchInterrupts();
      const demo = await startDemoEnvironment({ home, port: flags.port === undefined ? 0 : parsePort(flags.port) });
      try {
        const { watchGroupProgress } = await import('./group-progress.js');
        const progress = await watchGroupProgress(io.stdout);
        const result = await dispatchDemoTask(demo, {
          home,
          env: io.env,
          executors,
          hooks: { run: { signal: interrupts.signal }, group: { ...progress.hooks, signal: interrupts.signal } },
          onReady: ({ serverUrl, repoDir }) => {
            io.stdout.write(`Outpost demo — offline: a scripted model server at ${serverUrl} stands in for the model APIs.\n`);
            io.stdout.write(`Sample repository: ${repoDir}\nDispatching the real pinned CLIs…\n\n`);
          },
        });
        await printResult(io, result, home.runsDir, progress.view());
        const interrupted = interrupts.received();
        // The demo proves every agent works: any run that did not succeed fails it.
        const runs = result.kind === 'single' ? [result.run] : result.group.results;
        setExitCode(interrupted ? exitCodeForSignal(interrupted) : Math.max(...runs.map((run) => run.exitCode)));
        // Stopping the server with Ctrl-C is what --serve asks for: the exit code stays the demo's.
        if (flags.serve && !interrupted) await serveUntilInterrupted(io, demo, home.root, result, interrupts);
      } finally {
        interrupts.dispose();
        await demo.close();
      }
    });
}

async function printResult(io: CliIo, result: DispatchResult, runsDir: string, view: ProgressView | undefined): Promise<void> {
  const [{ groupResultRows, renderGroupVerdict }, { renderRunReport }] = await Promise.all([import('../report/group-report.js'), import('../report/run-report.js')]);
  const runs = result.kind === 'single' ? [result.run] : result.group.results;
  if (result.kind === 'group') {
    view?.finish(groupResultRows(result.group.record));
    io.stdout.write(`\n${renderGroupVerdict(result.group.record, runsDir)}\n`);
  }
  for (const run of runs) io.stdout.write(`${renderRunReport(run.summary, run.runDir)}\n`);
  const cmd = io.invocation ?? 'dispatch';
  const first = runs[0]?.runId ?? '<run-id>';
  io.stdout.write(`Next: ${cmd} logs ${first}   (what the agent did)\n      ${cmd} diff ${first}   (what it changed)\n`);
  if (result.kind === 'group') io.stdout.write(`      ${cmd} compare ${result.group.groupId}   (the agents side by side)\n`);
}

/** Keeps the scripted server up for the user's own tries; demo/env.sh holds the environment while it runs. */
async function serveUntilInterrupted(
  io: CliIo,
  demo: DemoEnvironment,
  homeRoot: string,
  result: DispatchResult,
  interrupts: Interrupts,
): Promise<void> {
  const { renderEnvExports, renderServeHints } = await import('../demo/serve-hints.js');
  const runs = result.kind === 'single' ? [result.run] : result.group.results;
  const env = { DISPATCH_HOME: homeRoot, ...demo.agentEnv };
  const envFile = join(demo.demoDir, 'env.sh');
  await writeFile(envFile, renderEnvExports(env), { mode: 0o600 });
  io.stdout.write(
    `\nThe scripted model server keeps running at ${demo.server.url} until Ctrl-C. In another shell:\n\n` +
      `  . ${envFile}      # or:\n${renderEnvExports(env).replace(/^/gm, '  ')}\n` +
      renderServeHints({
        invocation: io.invocation ?? 'dispatch',
        repoDir: demo.repoDir,
        codexRunId: runs.find((run) => run.summary.executor === 'codex')?.runId ?? null,
        claudeRunId: runs.find((run) => run.summary.executor === 'claude')?.runId ?? null,
      }),
  );
  await new Promise<void>((resolve) => {
    if (interrupts.signal.aborted) resolve();
    interrupts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await rm(envFile, { force: true });
  io.stdout.write("\nscripted model server stopped; demo/env.sh and the agents' demo config removed.\n");
}
