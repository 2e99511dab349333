import { testedVersionOf } from '../package-info.js';
import { runContained } from '../process/run-contained.js';
import { readCachedVersion, writeCachedVersion } from './cli-version-cache.js';
import type { Executor } from './types.js';

export interface CliVersionInfo {
  version: string | null;
  tested: string | null;
  /** A line for `doctor` and the summary when the CLI differs from the tested pin. */
  warning: string | null;
}

/**
 * Asks the CLI for its version (`--version`, 10 s at most) and compares it to the tested pin.
 * With `cacheFile`, a version read before from the same unchanged binary is reused instead
 * (a run then spawns no `--version` process); only a version that could be read is cached.
 */
export async function probeCliVersion(
  executor: Executor,
  bin: string,
  env: Record<string, string>,
  cwd: string,
  cacheFile?: string,
): Promise<CliVersionInfo> {
  const tested = testedVersionOf(executor.npmPackage);
  // Asked of (and remembered for) the file that really runs: codex's native binary, not its launcher.
  const command = executor.resolveCommand?.(bin, env) ?? { bin, env };
  const cached = cacheFile === undefined ? null : await readCachedVersion(cacheFile, command.bin);
  const version = cached ?? (await askVersion(executor, command.bin, command.env, cwd));
  if (cacheFile !== undefined && cached === null && version !== null) await writeCachedVersion(cacheFile, command.bin, version).catch(() => undefined);
  let warning: string | null = null;
  if (version === null) warning = `could not read the ${executor.name} CLI version from \`${bin} --version\``;
  else if (tested !== null && version !== tested)
    warning = `${executor.name} CLI ${version} differs from the tested ${tested}; event parsing may miss new event types`;
  return { version, tested, warning };
}

async function askVersion(executor: Executor, bin: string, env: Record<string, string>, cwd: string): Promise<string | null> {
  // Its own process group like any agent process: a CLI that hangs here is stopped whole.
  const { stdout, stderr } = await runContained({ file: bin, args: ['--version'], env, cwd }, 10_000, 1_000);
  return executor.parseVersion([...stdout, ...stderr].join('\n')) ?? null;
}
