import { runGit } from './git.js';
import { readOwnConfig } from './mirror-config.js';

// Scopes an agent can write from inside its worktree (the mirror's config is shared).
const UNTRUSTED_SCOPES: ReadonlySet<string> = new Set(['local', 'worktree']);
const FILTER_VARS = ['clean', 'smudge', 'process'] as const;

/**
 * Env (GIT_CONFIG_COUNT/KEY/VALUE, so any filter name is safe) that empties every
 * clean/smudge/process filter defined in the repository's own config: `git add` and
 * checkouts would otherwise run commands an agent planted. Filters from the user's global
 * or system config (git-lfs) keep working. `commonDir`: the repository's own directory (the
 * mirror); when its config is still the one dispatch wrote, it defines no filter and no git
 * process is needed to know it.
 */
export async function buildFilterGuardEnv(cwd: string, gitArgs: string[] = [], commonDir?: string): Promise<Record<string, string>> {
  if (commonDir !== undefined && readOwnConfig(commonDir)) return {};
  const result = await runGit(
    [...gitArgs, 'config', '--show-scope', '--includes', '--null', '--get-regexp', '^filter\\.'],
    { cwd, allowFailure: true },
  );
  const names = result.exitCode === 0 ? parseUntrustedFilterNames(result.stdout) : [];
  return buildConfigEnv(names.flatMap((name) => [
    ...FILTER_VARS.map((v): [string, string] => [`filter.${name}.${v}`, '']),
    [`filter.${name}.required`, 'false'] as [string, string],
  ]));
}

/** Filter names in `git config --show-scope --null --get-regexp` output from untrusted scopes. */
export function parseUntrustedFilterNames(output: string): string[] {
  const tokens = output.split('\0');
  const names = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i += 2) {
    const scope = tokens[i] ?? '';
    const key = (tokens[i + 1] ?? '').split('\n')[0] ?? '';
    const lastDot = key.lastIndexOf('.');
    if (UNTRUSTED_SCOPES.has(scope) && key.startsWith('filter.') && lastDot > 'filter.'.length) {
      names.add(key.slice('filter.'.length, lastDot));
    }
  }
  return [...names];
}

function buildConfigEnv(pairs: Array<[string, string]>): Record<string, string> {
  if (pairs.length === 0) return {};
  // Keep config passed down to us by a parent process: ours go after it.
  const inherited = Number.parseInt(process.env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(inherited + pairs.length) };
  pairs.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${inherited + index}`] = key;
    env[`GIT_CONFIG_VALUE_${inherited + index}`] = value;
  });
  return env;
}
