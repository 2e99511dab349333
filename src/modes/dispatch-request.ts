import { createHash } from 'node:crypto';
import type { ExecutorName } from '../executors/types.js';
import type { RunTemplate } from './group-plan.js';
import type { OnQuota } from './quota-wait.js';
import type { ShellCommand } from './run-plan.js';

/** What the user asked `dispatch run` to do, validated. */
export interface DispatchRequest {
  template: RunTemplate;
  executors: ExecutorName[];
  attempts: number;
  concurrency: number;
  race: boolean;
  fallback?: ExecutorName | undefined;
  budgetUsd?: number | undefined;
  budgetTokens?: number | undefined;
  apply: boolean;
  /** --push: push the winner's branch to the repo's origin. */
  push?: boolean | undefined;
  /** --pr: open a pull request with gh (its path, found while validating). */
  pr?: { gh: string } | undefined;
  onFinish?: ShellCommand | undefined;
  /** `--no-overlap` / `--lock-key`: skip (exit 4) while another dispatch of the same job runs. */
  overlapKey?: string | undefined;
  /** `--on-quota`: fail (default), fallback (implied by --fallback), wait. */
  onQuota?: OnQuota | undefined;
  /** `--max-wait` for `--on-quota wait` (6 h). */
  maxWaitMs?: number | undefined;
}

/**
 * Whether the request needs a group (several runs, race, fallback, or `--on-quota wait`,
 * whose rerun after the reset is a new member) rather than one run. Delivering a result
 * (--apply, --push, --pr) also makes one run a group (of one), whose group.json records the
 * branch, the push and the pull request.
 */
export function isGroupRequest(request: DispatchRequest): boolean {
  const delivers = request.apply || request.push === true || request.pr !== undefined;
  return request.executors.length * request.attempts > 1 || request.race || request.fallback !== undefined || request.onQuota === 'wait' || delivers;
}

/** The default overlap key: the repo and the task, hashed. */
export function jobLockKey(repoUrl: string, task: string): string {
  return `job-${createHash('sha256').update(`${repoUrl}\n${task}`).digest('hex').slice(0, 16)}`;
}
