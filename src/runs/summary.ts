/**
 * summary.json (DESIGN §2). Field names keep the original shell dispatcher's so its scripts
 * keep working. The schema (zod) lives in summary-schema.ts and is loaded only by readers,
 * which keeps it off a run's start-up path; the types are erased at run time.
 */

export const SUMMARY_SCHEMA_VERSION = 1;

export const RUN_STATUSES = ['running', 'success', 'failed', 'timeout', 'cancelled', 'abandoned'] as const;
export const OUTCOMES = [
  'success',
  'no_changes',
  'empty_result',
  'check_failed',
  'agent_error',
  'timeout',
  'idle_timeout',
  'cancelled',
  'auth',
  'quota',
  'infra',
  'abandoned',
] as const;

export type { RunSummary, UsageTotals } from './summary-schema.js';

export type RunStatus = (typeof RUN_STATUSES)[number];
export type Outcome = (typeof OUTCOMES)[number];

/** The coarse status for an outcome (the seed's `status` field). */
export function statusForOutcome(outcome: Outcome): RunStatus {
  switch (outcome) {
    case 'success':
    case 'no_changes':
      return 'success';
    case 'timeout':
    case 'idle_timeout':
      return 'timeout';
    case 'cancelled':
      return 'cancelled';
    case 'abandoned':
      return 'abandoned';
    default:
      return 'failed';
  }
}
