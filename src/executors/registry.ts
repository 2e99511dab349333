import { claudeExecutor } from './claude.js';
import { codexExecutor } from './codex.js';
import type { Executor, ExecutorName } from './types.js';

// The names alone load no executor: a `--queue` submit parses --executor without codex's config code.
export { EXECUTOR_NAMES, isExecutorName, parseExecutorList } from './executor-names.js';

/** Every agent the dispatcher can run. Adding one is a new module plus a line here. */
export const executors: Record<ExecutorName, Executor> = {
  codex: codexExecutor,
  claude: claudeExecutor,
};

export function getExecutor(name: ExecutorName): Executor {
  return executors[name];
}
