import { join } from 'node:path';
import { writeJsonAtomically } from './atomic-write.js';
import { createWholeDir } from './whole-dir.js';

/** One member of a group as group.json records it. */
export interface GroupMember {
  key: string;
  executor: string;
  attempt: number;
  run_id: string | null;
  run_dir: string | null;
  /**
   * not_started: the group ended (race won, budget, interrupt) before this member began;
   * waiting: `--on-quota wait` sleeps until the usage limit resets (waiting_until).
   */
  state: 'queued' | 'running' | 'waiting' | 'done' | 'not_started';
  status: string | null;
  outcome: string | null;
  /** What dispatch would exit with for this member alone (0 for the loser of a won race). */
  exit_code: number | null;
  /** The same, under the name summary.json uses for it. */
  dispatch_exit_code?: number | null;
  /** The agent's own exit code (summary.json exit_code). */
  agent_exit_code?: number | null;
  check_passed: boolean | null;
  files_changed: number;
  insertions: number;
  deletions: number;
  tokens: number | null;
  cost_usd: number | null;
  duration_ms: number | null;
  fallback_of: string | null;
  /** `--on-quota wait`: the run that hit the limit and that this member runs again. */
  retry_of?: string | null;
  /** While waiting: when the member will run (ISO UTC). */
  waiting_until?: string | null;
  error_kind: string | null;
  /** Set when the member's run could not be set up at all. */
  error_message?: string;
}

/** runs/<group-id>/group.json (DESIGN §2): members, mode, check results, scores, winner. */
export interface GroupRecord {
  schema: 1;
  group_id: string;
  mode: string;
  repo: string;
  repo_url: string;
  task: string;
  executors: string[];
  attempts: number;
  concurrency: number;
  check: string | null;
  started: string;
  completed: string | null;
  duration_ms: number | null;
  status: 'running' | 'done' | 'cancelled' | 'abandoned';
  members: GroupMember[];
  winner: string | null;
  winner_reason: string | null;
  scores: unknown[];
  budget: { usd: number | null; tokens: number | null; spent_usd: number; spent_tokens: number; exceeded: boolean } | null;
  applied_branch: string | null;
  /** The repository that has applied_branch: the user's own (a local repo argument), else the mirror. */
  applied_in?: string | null;
  /** Why --apply could not commit the winner, when it could not. */
  apply_error?: string;
  /** The remote --push pushed applied_branch to (credentials removed). */
  pushed_to?: string | null;
  /** The pull request --pr opened. */
  pr_url?: string | null;
  /** Why --push or --pr failed, when one did; the runs' results are kept either way. */
  delivery_error?: string;
  /** What dispatch exited with for the group (kept for scripts written before dispatch_exit_code). */
  exit_code: number | null;
  /** What dispatch exited with for the group (DESIGN §10). */
  dispatch_exit_code?: number | null;
  pid: number;
  pid_start: string | null;
  host: string;
}

export function groupDir(runsDir: string, groupId: string): string {
  return join(runsDir, groupId);
}

/** Creates the group directory with its first group.json, all at once (whole-dir.ts). */
export async function createGroupDir(runsDir: string, record: GroupRecord): Promise<string> {
  const dir = groupDir(runsDir, record.group_id);
  await createWholeDir(dir, { 'group.json': `${JSON.stringify(record, null, 2)}\n` });
  return dir;
}

export async function writeGroupRecord(dir: string, record: GroupRecord): Promise<void> {
  await writeJsonAtomically(join(dir, 'group.json'), record);
}
