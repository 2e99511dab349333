import type { GroupMember } from '../runs/group-record.js';
import type { RunResult } from './execute-run.js';
import { readRunPatch } from '../runs/run-dir.js';
import type { GroupState } from './run-group.js';
import { pickWinner } from './scoring.js';
import { deliverWinner } from './deliver-winner.js';

/** Picks the winner, applies it if asked, fills in the group record; returns the group's exit code. */
export async function finishGroup(state: GroupState, completed: Date): Promise<number> {
  const { record, plan } = state;
  const winner = await decideWinner(state);
  record.winner = winner?.runId ?? null;
  if (winner && (plan.apply || plan.push || plan.pr)) {
    await deliverWinner(state, winner, { apply: true, push: plan.push === true || plan.pr !== undefined, pr: plan.pr ?? null });
  }
  const spent = state.budget.spent();
  if (record.budget) Object.assign(record.budget, { spent_usd: spent.usd, spent_tokens: spent.tokens, exceeded: state.budget.exceeded });
  for (const member of record.members) if (member.state === 'queued') member.state = 'not_started';
  record.completed = completed.toISOString();
  record.duration_ms = completed.getTime() - Date.parse(record.started);
  record.status = state.stopReason === 'interrupted' || state.stopReason === 'cancelled' ? 'cancelled' : 'done';
  record.exit_code = groupExitCode(record.mode, winner, finalMembers(record.members));
  // The agents' work is done and kept, but what was asked for did not happen: infra (3), so cron says so.
  if (record.exit_code === 0 && (record.apply_error || record.delivery_error)) record.exit_code = 3;
  record.dispatch_exit_code = record.exit_code;
  return record.exit_code;
}

async function decideWinner(state: GroupState): Promise<RunResult | null> {
  const { record, results } = state;
  if (record.mode === 'race') {
    record.winner_reason = state.raceWinner ? 'first run to succeed' : 'no run succeeded';
    return state.raceWinner;
  }
  if (record.mode === 'fallback' || record.mode === 'single') return decideFinalRun(state);
  if (record.mode !== 'best-of-n') return null;
  const candidates = await Promise.all(
    results.map(async (result) => ({
      runId: result.runId,
      outcome: result.summary.outcome ?? 'infra',
      checkPassed: result.summary.check?.passed ?? null,
      patch: (await readRunPatch(result.runDir)) ?? '',
      linesChanged: result.summary.insertions + result.summary.deletions,
      durationMs: result.summary.duration_ms ?? 0,
    })),
  );
  const decision = pickWinner(candidates);
  record.winner_reason = decision.reason;
  record.scores = decision.scores;
  return results.find((result) => result.runId === decision.winner) ?? null;
}

/**
 * Fallback mode: the run that succeeded (the primary, or the fallback that replaced it).
 * A group of one (--apply on a single run): that run, when it succeeded.
 */
function decideFinalRun(state: GroupState): RunResult | null {
  const { record, results } = state;
  const succeeded = results.find((result) => result.summary.outcome === 'success') ?? null;
  const primary = results.find((result) => result.summary.fallback_of === null);
  if (!succeeded) {
    record.winner_reason = record.mode === 'single' ? `the run did not succeed (${primary?.summary.outcome ?? 'not started'})` : 'neither the run nor its fallback succeeded';
  } else if (record.mode === 'single') {
    record.winner_reason = 'the only run, and it succeeded';
  } else if (succeeded === primary) {
    record.winner_reason = 'the first run succeeded; no fallback was needed';
  } else {
    record.winner_reason = `the fallback (${succeeded.summary.executor}) succeeded after ${primary?.summary.executor ?? 'the first run'} ended in ${primary?.summary.outcome ?? 'failure'}`;
  }
  return succeeded;
}

/** A member replaced by its fallback, or run again after a usage limit, counts through its successor. */
function finalMembers(members: GroupMember[]): GroupMember[] {
  const replaced = new Set(members.flatMap((member) => [member.fallback_of, member.retry_of]).filter((id): id is string => typeof id === 'string'));
  return members.filter((member) => member.state === 'done' && !(member.run_id && replaced.has(member.run_id)));
}

/**
 * DESIGN §10 for groups: the winner's code (best-of-N, race), else 0 when any member
 * succeeded, else the worst member's (the highest code).
 */
export function groupExitCode(mode: string, winner: RunResult | null, members: GroupMember[]): number {
  if (winner) return winner.exitCode;
  if (mode !== 'race' && mode !== 'best-of-n' && members.some((member) => member.exit_code === 0)) return 0;
  const codes = members.map((member) => member.exit_code ?? 1);
  return codes.length > 0 ? Math.max(...codes) : 1;
}
