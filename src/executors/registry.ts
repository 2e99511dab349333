import { UsageError } from '../errors.js';
import { claudeExecutor } from './claude.js';
import { codexExecutor } from './codex.js';
import type { Executor, ExecutorName } from './types.js';

/** Every agent the dispatcher can run. Adding one is a new module plus a line here. */
export const executors: Record<ExecutorName, Executor> = {
  codex: codexExecutor,
  claude: claudeExecutor,
};

export function isExecutorName(name: string): name is ExecutorName {
  return Object.hasOwn(executors, name);
}

/** Parses `--executor codex|claude|both|codex,claude` into executor names, in order, no duplicates. */
export function parseExecutorList(value: string): ExecutorName[] {
  // `both` stands for codex,claude, alone or inside a list (`both,gemini` then names gemini as the unknown one).
  const names = value.split(',').map((part) => part.trim()).flatMap((name) => (name === 'both' ? ['codex', 'claude'] : [name]));
  const out: ExecutorName[] = [];
  for (const name of names) {
    if (!isExecutorName(name)) {
      throw new UsageError(
        `unknown executor '${name}'`,
        `use one of: ${Object.keys(executors).join(', ')}, both, or a comma-separated list`,
      );
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function getExecutor(name: ExecutorName): Executor {
  return executors[name];
}
