import { describe, expect, it } from 'vitest';
import { decideOutcome, exitCodeForOutcome, type RunFacts } from '../../src/runs/outcome.js';
import { statusForOutcome } from '../../src/runs/summary.js';

const finished: RunFacts = {
  stoppedBy: null,
  infraError: false,
  exitCode: 0,
  errorKind: null,
  turnFailed: false,
  finalMessage: 'done',
  changes: 'uncommitted',
  checkPassed: null,
};

describe('decideOutcome', () => {
  it.each<[string, Partial<RunFacts>, string]>([
    ['changes captured', {}, 'success'],
    ['committed changes', { changes: 'committed' }, 'success'],
    ['nothing changed, but an answer', { changes: 'none' }, 'no_changes'],
    ['nothing changed, no answer', { changes: 'none', finalMessage: null }, 'empty_result'],
    ['blank answer counts as none', { changes: 'none', finalMessage: '  \n' }, 'empty_result'],
    ['check failed', { checkPassed: false }, 'check_failed'],
    ['non-zero exit', { exitCode: 1, errorKind: 'other' }, 'agent_error'],
    ['failed turn with exit 0', { turnFailed: true }, 'agent_error'],
    ['auth', { exitCode: 1, errorKind: 'auth' }, 'auth'],
    ['usage limit', { exitCode: 1, turnFailed: true, errorKind: 'usage_limit' }, 'quota'],
    ['rate limit', { exitCode: 1, turnFailed: true, errorKind: 'rate_limit' }, 'quota'],
    ['network', { exitCode: 1, errorKind: 'network' }, 'infra'],
    ['provider 5xx / 529', { exitCode: 1, turnFailed: true, errorKind: 'server' }, 'infra'],
    ['fatal error stopped by dispatcher', { stoppedBy: 'fatal_error', exitCode: null, errorKind: 'auth' }, 'auth'],
    ['could not start', { infraError: true, exitCode: null }, 'infra'],
    ['cancel wins over everything', { stoppedBy: 'cancel', exitCode: 1, errorKind: 'auth' }, 'cancelled'],
    ['timeout', { stoppedBy: 'timeout', exitCode: null }, 'timeout'],
    ['idle timeout', { stoppedBy: 'idle_timeout', exitCode: null }, 'idle_timeout'],
  ])('%s → %s', (_name, facts, outcome) => {
    expect(decideOutcome({ ...finished, ...facts })).toBe(outcome);
  });
});

describe('exit codes and coarse status', () => {
  it.each([
    ['success', 0, 'success'],
    ['no_changes', 0, 'success'],
    ['empty_result', 5, 'failed'],
    ['check_failed', 5, 'failed'],
    ['agent_error', 1, 'failed'],
    ['auth', 6, 'failed'],
    ['quota', 7, 'failed'],
    ['infra', 3, 'failed'],
    ['timeout', 124, 'timeout'],
    ['idle_timeout', 124, 'timeout'],
    ['cancelled', 130, 'cancelled'],
  ] as const)('%s → exit %i, status %s', (outcome, code, status) => {
    expect(exitCodeForOutcome(outcome)).toBe(code);
    expect(statusForOutcome(outcome)).toBe(status);
  });

  it('--require-changes turns no_changes into exit 5', () => {
    expect(exitCodeForOutcome('no_changes', { requireChanges: true })).toBe(5);
  });
});
