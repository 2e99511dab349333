import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { packageRoot } from '../package-info.js';

export interface DispatchHome {
  root: string;
  runsDir: string;
  reposDir: string;
}

/**
 * Where runs/ and repos/ live: --home, else DISPATCH_HOME, else the root of this project
 * when it runs from a git checkout, else $XDG_DATA_HOME/outpost (~/.local/share/outpost).
 */
export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv): DispatchHome {
  const root = resolve(flag ?? env.DISPATCH_HOME ?? defaultHome(env));
  return { root, runsDir: join(root, 'runs'), reposDir: join(root, 'repos') };
}

function defaultHome(env: NodeJS.ProcessEnv): string {
  if (existsSync(join(packageRoot, '.git'))) return packageRoot;
  const dataHome = env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), '.local', 'share');
  return join(dataHome, 'outpost');
}

/** What runs keep between them that is no run's own (CLI versions, codex's empty databases). */
export function cacheDir(home: DispatchHome): string {
  return join(home.root, 'cache');
}

/** Where runs remember the agent CLIs' versions (see probeCliVersion). */
export function cliVersionCacheFile(home: DispatchHome): string {
  return join(cacheDir(home), 'cli-versions.json');
}
