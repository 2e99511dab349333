import type { ExecutorName } from '../executors/types.js';
import type { OnQuota } from './quota-wait.js';
import type { RunPlan } from './run-plan.js';

/** `single`: one run made a group so that its result can be delivered (--apply, --push, --pr). */
export type GroupMode = 'single' | 'parallel' | 'best-of-n' | 'race' | 'fallback';

/** A run's plan minus what the group decides per member. */
export type RunTemplate = Omit<RunPlan, 'executor' | 'bin' | 'mode' | 'groupId' | 'fallbackOf'>;

/** Everything one dispatch of several runs needs, validated before any file is written. */
export interface GroupPlan {
  template: RunTemplate;
  /** Executors in order, each with its resolved binary. */
  executors: { name: ExecutorName; bin: string }[];
  /** Attempts per executor (-n). */
  attempts: number;
  /** Agents running at once (--concurrency). */
  concurrency: number;
  race: boolean;
  /** Executor that re-runs a member's task when that member fails for a fallback reason. */
  fallback?: { name: ExecutorName; bin: string } | undefined;
  budgetUsd?: number | undefined;
  budgetTokens?: number | undefined;
  /** Leave the winner's diff committed on branch dispatch/<group-id> (the user's repo, or the mirror). */
  apply: boolean;
  /** What a run that hits a usage or rate limit (outcome quota) leads to (--on-quota). */
  onQuota: OnQuota;
  /** --max-wait: the longest `--on-quota wait` waits for one task, in all. */
  maxWaitMs: number;
  /** Push that branch to the repo's origin (--push; --pr implies it). */
  push?: boolean | undefined;
  /** Open a pull request with gh (--pr): gh's path, found before any agent started. */
  pr?: { gh: string } | undefined;
}

/** The mode a group runs in (DESIGN §6). */
export function groupModeOf(plan: Pick<GroupPlan, 'race' | 'fallback' | 'template' | 'executors' | 'attempts'>): GroupMode {
  if (plan.race) return 'race';
  const members = plan.executors.length * plan.attempts;
  if (plan.template.check && members > 1) return 'best-of-n';
  if (plan.fallback && members === 1) return 'fallback';
  return members === 1 && !plan.fallback ? 'single' : 'parallel';
}

/** Outcomes after which --fallback runs the task again with the other executor. */
export const FALLBACK_TRIGGERS = new Set(['quota', 'auth', 'agent_error', 'timeout', 'idle_timeout', 'infra']);

/** Whether --fallback runs after this outcome: a limit only with `--on-quota fallback`. */
export function triggersFallback(plan: Pick<GroupPlan, 'onQuota'>, outcome: string | null): boolean {
  if (outcome === 'quota') return plan.onQuota === 'fallback';
  return FALLBACK_TRIGGERS.has(outcome ?? '');
}
