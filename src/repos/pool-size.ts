import { UsageError } from '../errors.js';

/** Clean worktrees parked per repository when neither --workspace-pool nor its env or config says. */
export const DEFAULT_WORKSPACE_POOL = 2;
export const MAX_WORKSPACE_POOL = 32;

/** `--workspace-pool N` (env DISPATCH_WORKSPACE_POOL, config workspacePool): 0 (off) to MAX_WORKSPACE_POOL. Pure. */
export function parseWorkspacePool(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_WORKSPACE_POOL;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORKSPACE_POOL) {
    throw new UsageError(`invalid --workspace-pool '${value}'`, `use a whole number from 0 (off) to ${MAX_WORKSPACE_POOL}`);
  }
  return n;
}
