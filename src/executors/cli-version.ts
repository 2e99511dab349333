import { testedVersionOf } from '../package-info.js';
import { runContained } from '../process/run-contained.js';
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
  const { stdout, stderr } = await runContained({ file: bin, args: ['--version'], env, cwd }, 10_000, 1_000);
  const version = executor.parseVersion([...stdout, ...stderr].join('\n')) ?? null;
  let warning: string | null = null;
  if (version === null) warning = `could not read the ${executor.name} CLI version from \`${bin} --version\``;
  else if (tested !== null && version !== tested)
    warning = `${executor.name} CLI ${version} differs from the tested ${tested}; event parsing may miss new event types`;
  return { version, tested, warning };
}
