import { locateBinary } from '../executors/find-binary.js';
import { getExecutor } from '../executors/registry.js';
import type { ExecutorName } from '../executors/types.js';

export interface Capability {
  executor: ExecutorName;
  bin: string | undefined;
  /** Why this worker cannot run it: the CLI is missing or not logged in. */
  problem: string | null;
}

/** Which of the asked executors this machine can run now: the CLI is installed and logged in. */
export function checkCapabilities(names: ExecutorName[], env: NodeJS.ProcessEnv): Capability[] {
  return names.map((name) => {
    const executor = getExecutor(name);
    const bin = locateBinary(executor, env);
    if (!bin) return { executor: name, bin, problem: `the ${executor.binName} CLI is not installed (${executor.binEnvVar} or PATH)` };
    const auth = executor.checkAuth(executor.userHome(env), env);
    return { executor: name, bin, problem: auth.ok ? null : auth.detail };
  });
}
