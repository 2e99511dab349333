import { UsageError } from '../errors.js';
import type { ExecutorName } from './types.js';

/** Every agent the dispatcher can run, by name (registry.ts has the executors themselves). */
export const EXECUTOR_NAMES: readonly ExecutorName[] = ['codex', 'claude'];

export function isExecutorName(name: string): name is ExecutorName {
  return (EXECUTOR_NAMES as readonly string[]).includes(name);
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
        `use one of: ${EXECUTOR_NAMES.join(', ')}, both, or a comma-separated list`,
      );
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
