import { hostname } from 'node:os';
import PQueue from 'p-queue';
import { processStartTicks } from '../process/process-identity.js';
import type { TimedEvent } from '../events.js';
import type { ExecutorName } from '../executors/types.js';
import { watchCancelRequest } from '../runs/cancel-request.js';
import { createGroupId } from '../runs/run-id.js';
import { createGroupDir, writeGroupRecord, type GroupMember, type GroupRecord } from '../runs/group-record.js';
import { createBudgetTracker } from './budget.js';
import { executeRun, type RunResult } from './execute-run.js';
import { fetchBase } from './run-checkout.js';
import { finishGroup } from './finish-group.js';
import { groupModeOf, triggersFallback, type GroupPlan } from './group-plan.js';
import type { CancelReason, RunPlan } from './run-plan.js';
import { waitForQuotaReset } from './wait-for-quota.js';

export interface GroupHooks {
  /** Aborting (Ctrl-C) cancels every member. */
  signal?: AbortSignal;
  /** Told when a member's state changes or its agent reports something. */
  onMember?: (member: GroupMember, event?: TimedEvent) => void;
  onGroupCreated?: (groupId: string, dir: string, members: GroupMember[]) => void;
  now?: () => Date;
  /** Runs one member (default: here, executeRun; with --queue: as a job on a worker). */
  executeRun?: typeof executeRun;
}

export interface GroupResult {
  groupId: string;
  dir: string;
  record: GroupRecord;
  results: RunResult[];
  exitCode: number;
}

/** State shared by the members of one running group. */
interface GroupState {
  plan: GroupPlan;
  hooks: GroupHooks;
  record: GroupRecord;
  dir: string;
  results: RunResult[];
  controllers: Map<string, AbortController>;
  stopReason: CancelReason | null;
  raceWinner: RunResult | null;
  budget: ReturnType<typeof createBudgetTracker>;
  persist: () => Promise<void>;
}

/**
 * Runs several agents on one task: every executor × attempt as its own run, at most
 * `concurrency` at once, in parallel, best-of-N, race or fallback mode (DESIGN §6).
 */
export async function runGroup(plan: GroupPlan, hooks: GroupHooks = {}): Promise<GroupResult> {
  const now = hooks.now ?? (() => new Date());
  // One fetch for the whole group: every member starts from the same commit, so their
  // diffs compare (best-of-N agreement) and the winner applies on that commit.
  plan = { ...plan, template: { ...plan.template, base: await fetchBase(plan.template, hooks.signal) } };
  const started = now();
  const groupId = createGroupId(started);
  const record = createGroupRecord(plan, groupId, started);
  const dir = await createGroupDir(plan.template.home.runsDir, record);
  const state: GroupState = {
    plan,
    hooks,
    record,
    dir,
    results: [],
    controllers: new Map(),
    stopReason: null,
    raceWinner: null,
    budget: createBudgetTracker({ usd: plan.budgetUsd, tokens: plan.budgetTokens }),
    // writeFileAtomically never writes group.json twice at once, and the calls made while one
    // write is under way become one write after it. A failed write (disk full) is retried by
    // the next one and must not end the process.
    persist: () => writeGroupRecord(dir, record).catch(() => undefined),
  };
  await state.persist();
  hooks.onGroupCreated?.(groupId, dir, record.members);
  const onAbort = () => stopAll(state, 'interrupted');
  if (hooks.signal?.aborted) onAbort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const stopWatching = watchCancelRequest(dir, () => stopAll(state, 'cancelled'));
  try {
    const queue = new PQueue({ concurrency: plan.concurrency });
    const primaries = [...record.members];
    await Promise.all(primaries.map((member) => queue.add(() => runMember(state, member))));
  } finally {
    stopWatching();
    hooks.signal?.removeEventListener('abort', onAbort);
  }
  const exitCode = await finishGroup(state, now());
  await writeGroupRecord(dir, record);
  return { groupId, dir, record, results: state.results, exitCode };
}

function createGroupRecord(plan: GroupPlan, groupId: string, started: Date): GroupRecord {
  const members: GroupMember[] = plan.executors.flatMap(({ name }) =>
    Array.from({ length: plan.attempts }, (_, index) => emptyMember(`${name}#${index + 1}`, name, index + 1, null)),
  );
  return {
    schema: 1,
    group_id: groupId,
    mode: groupModeOf(plan),
    repo: plan.template.repo.name,
    repo_url: plan.template.repo.displayUrl,
    task: plan.template.task,
    executors: plan.executors.map(({ name }) => name),
    attempts: plan.attempts,
    concurrency: plan.concurrency,
    check: plan.template.check?.command ?? null,
    started: started.toISOString(),
    completed: null,
    duration_ms: null,
    status: 'running',
    members,
    winner: null,
    winner_reason: null,
    scores: [],
    budget:
      plan.budgetUsd === undefined && plan.budgetTokens === undefined
        ? null
        : { usd: plan.budgetUsd ?? null, tokens: plan.budgetTokens ?? null, spent_usd: 0, spent_tokens: 0, exceeded: false },
    applied_branch: null,
    exit_code: null,
    pid: process.pid,
    pid_start: processStartTicks(process.pid),
    host: hostname(),
  };
}

function emptyMember(key: string, executor: ExecutorName, attempt: number, fallbackOf: string | null): GroupMember {
  return {
    key,
    executor,
    attempt,
    run_id: null,
    run_dir: null,
    state: 'queued',
    status: null,
    outcome: null,
    exit_code: null,
    check_passed: null,
    files_changed: 0,
    insertions: 0,
    deletions: 0,
    tokens: null,
    cost_usd: null,
    duration_ms: null,
    fallback_of: fallbackOf,
    error_kind: null,
  };
}

/** Stops every running member and keeps queued ones from starting. The first reason wins. */
export function stopAll(state: Pick<GroupState, 'stopReason' | 'controllers'>, reason: CancelReason): void {
  if (state.stopReason !== null) return;
  state.stopReason = reason;
  for (const controller of state.controllers.values()) controller.abort(reason);
}

async function runMember(state: GroupState, member: GroupMember): Promise<void> {
  if (state.stopReason !== null) {
    member.state = 'not_started';
    state.hooks.onMember?.(member);
    return;
  }
  const { plan } = state;
  const executor = member.executor as ExecutorName;
  const bin = plan.fallback && member.fallback_of ? plan.fallback.bin : plan.executors.find(({ name }) => name === executor)?.bin;
  const controller = new AbortController();
  state.controllers.set(member.key, controller);
  const runPlan: RunPlan = {
    ...plan.template,
    executor,
    bin: bin ?? '',
    mode: state.record.mode,
    groupId: state.record.group_id,
    labels: { ...plan.template.labels, attempt: String(member.attempt), ...(member.retry_of ? { retry_of: member.retry_of } : {}) },
    fallbackOf: member.fallback_of ?? undefined,
  };
  let result: RunResult;
  try {
    result = await (state.hooks.executeRun ?? executeRun)(runPlan, {
      signal: controller.signal,
      onRunCreated: (runId, runDir) => {
        member.run_id = runId;
        member.run_dir = runDir;
        member.state = 'running';
        state.hooks.onMember?.(member);
        void state.persist();
      },
      onEvent: (_runId, event) => watchEvent(state, member, event),
    });
  } catch (error) {
    // The run could not even be set up (its directory, say): the member fails, the group goes on.
    Object.assign(member, { state: 'done', status: 'failed', outcome: 'infra', exit_code: 3, dispatch_exit_code: 3, error_kind: 'infra' });
    member.error_message = (error as Error).message;
    state.controllers.delete(member.key);
    state.hooks.onMember?.(member);
    return;
  }
  state.controllers.delete(member.key);
  state.results.push(result);
  recordResult(member, result);
  // A member about to wait reports once, waiting, then done when the wait ends.
  const waits = result.summary.outcome === 'quota' && plan.onQuota === 'wait' && state.stopReason === null;
  if (!waits) state.hooks.onMember?.(member);
  await state.persist();
  if (plan.race && state.raceWinner === null && result.summary.outcome === 'success') {
    state.raceWinner = result;
    stopAll(state, 'race_lost');
  }
  if (waits) {
    const retry = (key: string, retryOf: string) => ({ ...emptyMember(key, executor, member.attempt, member.fallback_of), retry_of: retryOf });
    const next = await waitForQuotaReset(state, member, result, retry);
    if (next) return runMember(state, next);
  }
  const fallback = plan.fallback;
  if (fallback && member.fallback_of === null && triggersFallback(plan, result.summary.outcome) && state.stopReason === null) {
    const next = emptyMember(`${member.key}>${fallback.name}`, fallback.name, member.attempt, result.runId);
    state.record.members.push(next);
    await runMember(state, next);
  }
}

function watchEvent(state: GroupState, member: GroupMember, event: TimedEvent): void {
  if (event.type === 'turn.completed') {
    if (event.usage) member.tokens = event.usage.input_tokens + event.usage.output_tokens;
    if (event.cost_usd !== undefined) member.cost_usd = event.cost_usd;
    if (state.budget.record(member.key, event.usage, event.cost_usd)) stopAll(state, 'budget');
  }
  state.hooks.onMember?.(member, event);
}

function recordResult(member: GroupMember, result: RunResult): void {
  const summary = result.summary;
  Object.assign(member, {
    state: 'done',
    status: summary.status,
    outcome: summary.outcome,
    // DESIGN §10: the loser of a won race is not a failure.
    exit_code: summary.error?.kind === 'race_lost' ? 0 : result.exitCode,
    dispatch_exit_code: summary.error?.kind === 'race_lost' ? 0 : result.exitCode,
    agent_exit_code: summary.exit_code,
    check_passed: summary.check?.passed ?? null,
    files_changed: summary.files_changed,
    insertions: summary.insertions,
    deletions: summary.deletions,
    tokens: summary.usage ? summary.usage.input_tokens + summary.usage.output_tokens : member.tokens,
    cost_usd: summary.cost_usd,
    duration_ms: summary.duration_ms,
    error_kind: summary.error?.kind ?? null,
  } satisfies Partial<GroupMember>);
}

export type { GroupState };
