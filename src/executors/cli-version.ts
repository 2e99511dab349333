import { testedVersionOf } from '../package-info.js';
import { startAgentProcess } from '../process/agent-process.js';
import type { Executor } from './types.js';

export interface CliVersionInfo {
  version: string | null;
  tested: string | null;
  /** A line for `doctor` and the summary when the CLI differs from the tested pin. */
  warning: string | null;
}

/** Asks the CLI for its version (`--version`, 10 s at most) and compares it to the tested pin. */
export async function probeCliVersion(
  executor: Executor,
  bin: string,
  env: Record<string, string>,
  cwd: string,
): Promise<CliVersionInfo> {
  const tested = testedVersionOf(executor.npmPackage);
  // Its own process group like any agent process: a CLI that hangs here is stopped whole.
  const lines: string[] = [];
  const probe = startAgentProcess({
    invocation: { file: bin, args: ['--version'], env, cwd },
    input: '',
    onStdoutLine: (line) => lines.push(line),
    onStderrLine: (line) => lines.push(line),
    timeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    graceMs: 1_000,
  });
  await probe.done;
  const version = executor.parseVersion(lines.join('\n')) ?? null;
  let warning: string | null = null;
  if (version === null) warning = `could not read the ${executor.name} CLI version from \`${bin} --version\``;
  else if (tested !== null && version !== tested)
    warning = `${executor.name} CLI ${version} differs from the tested ${tested}; event parsing may miss new event types`;
  return { version, tested, warning };
}
