import { execa } from 'execa';
import { testedVersionOf } from '../package-info.js';
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
  const result = await execa(bin, ['--version'], { cwd, env, extendEnv: false, reject: false, timeout: 10_000, stdin: 'ignore' });
  const version = executor.parseVersion(`${String(result.stdout)}\n${String(result.stderr)}`) ?? null;
  let warning: string | null = null;
  if (version === null) warning = `could not read the ${executor.name} CLI version from \`${bin} --version\``;
  else if (tested !== null && version !== tested)
    warning = `${executor.name} CLI ${version} differs from the tested ${tested}; event parsing may miss new event types`;
  return { version, tested, warning };
}
