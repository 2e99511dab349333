import { AuthError } from '../errors.js';
import { userClaudeHome } from '../executors/claude.js';
import { userCodexHome } from '../executors/codex.js';
import { getExecutor } from '../executors/registry.js';
import type { ExecutorName } from '../executors/types.js';

/** The user's own agent home, which each run's private home is seeded from. */
export function userAgentHome(name: ExecutorName, env: NodeJS.ProcessEnv): string {
  return name === 'codex' ? userCodexHome(env) : userClaudeHome(env);
}

/**
 * Before a fan-out starts N agents: every executor it needs must have a login. One error
 * naming every missing login, instead of N failed runs.
 */
export function checkLoginsBeforeFanOut(names: ExecutorName[], env: NodeJS.ProcessEnv): void {
  const missing = [...new Set(names)]
    .map((name) => getExecutor(name).checkAuth(userAgentHome(name, env), env))
    .filter((auth) => !auth.ok)
    .map((auth) => auth.detail);
  if (missing.length > 0) throw new AuthError(`${missing.join('; ')} (no run was started)`);
}
