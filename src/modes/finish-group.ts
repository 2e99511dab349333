import { join } from 'node:path';
import { commitPatchAsBranch } from '../repos/apply-branch.js';
import type { GroupMember } from '../runs/group-record.js';
import type { RunResult } from './execute-run.js';
import { readRunPatch } from '../runs/run-dir.js';
import type { GroupState } from './run-group.js';
import { pickWinner } from './scoring.js';

/** Picks the winner, applies it if asked, fills in the group record; returns the group's exit code. */
export async function finishGroup(state: GroupState, completed: Date): Promise<number> {
  const { record, plan } = state;
  const winner = await decideWinner(state);
  record.winner = winner?.runId ?? null;
  if (winner && plan.apply) {
    try {
      record.applied_branch = await applyWinner(state, winner);
    } catch (error) {
      record.apply_error = `--apply failed: ${(error as Error).message}`;
    }
  }
  const spent = state.budget.spent();
  if (record.budget) Object.assign(record.budget, { spent_usd: spent.usd, spent_tokens: spent.tokens, exceeded: state.budget.exceeded });
  for (const member of record.members) if (member.state === 'queued') member.state = 'not_started';
  record.completed = completed.toISOString();
  record.duration_ms = completed.getTime() - Date.parse(record.started);
  record.status = state.stopReason === 'interrupted' || state.stopReason === 'cancelled' ? 'cancelled' : 'done';
  record.exit_code = groupExitCode(record.mode, winner, finalMembers(record.members));
  record.dispatch_exit_code = record.exit_code;
  return record.exit_code;
}

async function decideWinner(state: GroupState): Promise<RunResult | null> {
  const { record, results } = state;
  if (record.mode === 'race') {
    record.winner_reason = state.raceWinner ? 'first run to succeed' : 'no run succeeded';
    return state.raceWinner;
  }
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

async function applyWinner(state: GroupState, winner: RunResult): Promise<string | null> {
  const { summary } = winner;
  if (!summary.before_sha || summary.changes === 'none') return null;
  const branch = `dispatch/${state.record.group_id}`;
  await commitPatchAsBranch({
    mirrorPath: join(state.plan.template.home.reposDir, `${state.plan.template.repo.slug}.git`),
    baseSha: summary.before_sha,
    patchPath: join(winner.runDir, 'diff.patch'),
    branch,
    message: `${firstLine(state.record.task)}\n\nWinner of dispatch group ${state.record.group_id} (run ${winner.runId}, ${summary.executor}).`,
  });
  return branch;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 72 ? `${line.slice(0, 69)}...` : line || 'dispatch result';
}

/** A member replaced by its fallback counts through the fallback. */
function finalMembers(members: GroupMember[]): GroupMember[] {
  const replaced = new Set(members.map((member) => member.fallback_of).filter((id): id is string => id !== null));
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
