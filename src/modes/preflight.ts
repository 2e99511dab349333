import { AuthError } from '../errors.js';
import { getExecutor } from '../executors/registry.js';
import type { ExecutorName } from '../executors/types.js';

/**
 * Before a fan-out starts N agents: every executor it needs must have a login. One error
 * naming every missing login, instead of N failed runs.
 */
export function checkLoginsBeforeFanOut(names: ExecutorName[], env: NodeJS.ProcessEnv): void {
  const missing = [...new Set(names)]
    .map((name) => getExecutor(name))
    .map((executor) => executor.checkAuth(executor.userHome(env), env))
    .filter((auth) => !auth.ok)
    .map((auth) => auth.detail);
  if (missing.length > 0) throw new AuthError(`${missing.join('; ')} (no run was started)`);
}
