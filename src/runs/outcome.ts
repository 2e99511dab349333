import type { ErrorKind } from '../events.js';
import type { Outcome } from './summary.js';

/** What the dispatcher saw of one agent run: the facts an outcome is decided from. */
export interface RunFacts {
  /** How the dispatcher ended the process, if it did. */
  stoppedBy: 'cancel' | 'timeout' | 'idle_timeout' | 'fatal_error' | null;
  /** The agent could not be started or the workspace broke. */
  infraError: boolean;
  exitCode: number | null;
  /** Error kind from the agent's own fatal error / turn.failed events, if any. */
  errorKind: ErrorKind | null;
  turnFailed: boolean;
  finalMessage: string | null;
  changes: 'committed' | 'uncommitted' | 'none' | null;
  checkPassed: boolean | null;
}

/** Decides the precise outcome of a run (DESIGN §10). Pure. */
export function decideOutcome(facts: RunFacts): Outcome {
  if (facts.stoppedBy === 'cancel') return 'cancelled';
  if (facts.stoppedBy === 'timeout') return 'timeout';
  if (facts.stoppedBy === 'idle_timeout') return 'idle_timeout';
  if (facts.infraError) return 'infra';
  const failed = facts.stoppedBy === 'fatal_error' || facts.turnFailed || facts.exitCode !== 0;
  if (failed) return outcomeForErrorKind(facts.errorKind);
  if (facts.checkPassed === false) return 'check_failed';
  const changed = facts.changes === 'committed' || facts.changes === 'uncommitted';
  if (changed) return 'success';
  if (!facts.finalMessage || facts.finalMessage.trim() === '') return 'empty_result';
  return 'no_changes';
}

/**
 * The model provider failing — an HTTP 5xx / 529 answer (`server`) or no usable answer at all:
 * a cut stream, a refused or timed-out connection (`network`) — is one outcome, `infra`
 * (exit 3): nothing in the task or the agent is at fault and a later retry may work.
 */
function outcomeForErrorKind(kind: ErrorKind | null): Outcome {
  switch (kind) {
    case 'auth':
      return 'auth';
    case 'usage_limit':
    case 'rate_limit':
      return 'quota';
    case 'network':
    case 'server':
      return 'infra';
    default:
      return 'agent_error';
  }
}

/** The exit code users alert on (DESIGN §10). */
export function exitCodeForOutcome(
  outcome: Outcome,
  opts: { requireChanges?: boolean } = {},
): number {
  switch (outcome) {
    case 'success':
      return 0;
    case 'no_changes':
      return opts.requireChanges ? 5 : 0;
    case 'empty_result':
    case 'check_failed':
      return 5;
    case 'agent_error':
      return 1;
    case 'auth':
      return 6;
    case 'quota':
      return 7;
    case 'infra':
      return 3;
    case 'timeout':
    case 'idle_timeout':
      return 124;
    case 'cancelled':
      // A signal to dispatch itself is mapped by the CLI (130/143), not from the outcome.
      return 130;
    case 'abandoned':
      return 1;
  }
}
