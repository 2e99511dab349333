import { startAgentProcess } from '../process/agent-process.js';
import { openOutputLog } from '../runs/output-log.js';
import type { Redactor } from '../runs/redact.js';

/** The user's own shell commands (--setup, --check) get this much log, then a cut marker. */
const STEP_LOG_CAP_BYTES = 20 * 1024 * 1024;

export interface ShellStepResult {
  exitCode: number | null;
  passed: boolean;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

/**
 * Runs a command the user wrote (`--setup`, `--check`) with /bin/sh in the worktree, in its
 * own process group, output to a log in the run directory. Task text and repo names never
 * go through here; these strings are the user's own shell commands.
 */
export async function runShellStep(opts: {
  command: string;
  cwd: string;
  env: Record<string, string>;
  logPath: string;
  timeoutMs: number;
  graceMs: number;
  redact: Redactor;
  signal?: AbortSignal | undefined;
}): Promise<ShellStepResult> {
  // The user's own commands' logs are text: redacted as such.
  const log = openOutputLog(opts.logPath, (bytes) => Buffer.from(opts.redact(bytes.toString('utf8'))), STEP_LOG_CAP_BYTES);
  log.writeLine(`$ ${opts.command}`);
  const step = startAgentProcess({
    invocation: { file: '/bin/sh', args: ['-c', opts.command], env: opts.env, cwd: opts.cwd },
    input: '',
    onStdoutLine: (line) => log.writeLine(line),
    onStderrLine: (line) => log.writeLine(line),
    waitForSink: () => (log.needsDrain() ? log.drained() : undefined),
    timeoutMs: opts.timeoutMs,
    idleTimeoutMs: opts.timeoutMs,
    graceMs: opts.graceMs,
  });
  const onAbort = () => step.stop('cancel');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await step.done;
    const timedOut = result.stoppedBy === 'timeout' || result.stoppedBy === 'idle_timeout';
    log.writeLine(timedOut ? `[dispatch: stopped after ${opts.timeoutMs} ms]` : `[dispatch: exit ${result.exitCode ?? result.signal}]`);
    return {
      exitCode: result.exitCode,
      passed: result.exitCode === 0 && result.stoppedBy === null,
      timedOut,
      cancelled: result.stoppedBy === 'cancel',
      durationMs: result.durationMs,
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await log.close();
  }
}
