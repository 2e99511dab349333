import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { copyEnv } from '../executors/agent-home.js';
import type { RunContext } from './run-context.js';
import { runShellStep } from './shell-step.js';

/**
 * Readies a fresh worktree for the agent: copies the --copy items in, then runs --setup.
 * Returns an error description when the workspace cannot be readied, else null.
 */
export async function prepareWorkspace(ctx: RunContext): Promise<{ kind: string; message: string } | null> {
  const { plan, paths } = ctx;
  for (const item of plan.copy ?? []) {
    await cp(item.source, join(paths.workspace, item.target), { recursive: true, force: true, errorOnExist: false });
  }
  if (!plan.setup) return null;
  const step = await runShellStep({
    command: plan.setup.command,
    cwd: paths.workspace,
    env: copyEnv(plan.env),
    logPath: paths.setupLog,
    timeoutMs: plan.setup.timeoutMs,
    graceMs: plan.graceMs,
    redact: ctx.redact,
    signal: ctx.hooks.signal,
  });
  if (step.passed || step.cancelled) return null;
  const how = step.timedOut ? `timed out after ${plan.setup.timeoutMs} ms` : `exited with code ${step.exitCode}`;
  return { kind: 'setup', message: `--setup command ${how}; see setup.log` };
}
