import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ExecutorNotFoundError } from '../errors.js';
import { packageRoot } from '../package-info.js';
import type { Executor } from './types.js';

/** A regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `binName` in a PATH-style list of directories. */
export function searchPath(binName: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binName);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds an agent binary: `<X>_BIN`, then this project's pinned node_modules/.bin, then PATH.
 * Returns undefined when none is found.
 */
export function locateBinary(executor: Executor, env: NodeJS.ProcessEnv): string | undefined {
  const override = env[executor.binEnvVar];
  if (override) {
    const path = isAbsolute(override) ? override : resolve(override);
    return isExecutableFile(path) ? path : searchPath(override, env.PATH);
  }
  const pinned = join(packageRoot, 'node_modules', '.bin', executor.binName);
  if (isExecutableFile(pinned)) return pinned;
  return searchPath(executor.binName, env.PATH);
}

/** Like locateBinary, but a missing CLI is a clear error (exit 3) that says how to install it. */
export function requireBinary(executor: Executor, env: NodeJS.ProcessEnv): string {
  const found = locateBinary(executor, env);
  if (found) return found;
  const override = env[executor.binEnvVar];
  if (override) {
    throw new ExecutorNotFoundError(
      `${executor.binEnvVar}=${override} is not an executable file`,
      `fix ${executor.binEnvVar} or unset it to use the ${executor.binName} found on PATH`,
    );
  }
  throw new ExecutorNotFoundError(
    `the ${executor.name} CLI (${executor.binName}) was not found`,
    `install it with \`npm install -g ${executor.npmPackage}\` or set ${executor.binEnvVar} to its path`,
  );
}
