import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { resolveRunRef, type RunRef } from './find-run.js';

/** A run picked for a command that acts on one run; `via` says which group it was picked from and why. */
export interface PickedRun {
  ref: RunRef;
  via: { groupId: string; why: 'winner' | 'only member' } | null;
}

/**
 * Resolves a ref for a command that acts on one run (logs, diff, resume): a run ref as
 * usual; a group ref means the group's winner, or its only started member.
 */
export async function resolveRunOrGroupMember(runsDir: string, ref: string): Promise<PickedRun> {
  const found = resolveRunRef(runsDir, ref, 'any');
  if (found.kind === 'run') return { ref: found, via: null };
  const { readGroupRecord } = await import('./read-run.js');
  const record = await readGroupRecord(found.dir);
  if (!record) throw new UsageError(`group ${found.id} has no readable group.json`, 'it may still be starting, or was pruned');
  const started = record.members.filter((member) => member.run_id !== null);
  const pick = (runId: string, why: 'winner' | 'only member'): PickedRun => ({
    ref: { kind: 'run', id: runId, dir: join(runsDir, runId) },
    via: { groupId: record.group_id, why },
  });
  if (record.winner) return pick(record.winner, 'winner');
  const only = started.length === 1 ? started[0]?.run_id : undefined;
  if (only) return pick(only, 'only member');
  const ids = started.map((member) => `${member.run_id} (${member.executor}, ${member.outcome ?? member.state})`);
  throw new UsageError(
    `group ${record.group_id} has no winner${ids.length > 0 ? ` and ${ids.length} runs: ${ids.join(', ')}` : ' and no run'}`,
    'pass one of its run ids (their last 6 characters are enough)',
  );
}

/** The line telling which run a group ref stood for: `group G: <doing> its winner, run R`. */
export function describePick(picked: PickedRun, doing: string): string | null {
  if (!picked.via) return null;
  return `group ${picked.via.groupId}: ${doing} its ${picked.via.why}, run ${picked.ref.id}`;
}
