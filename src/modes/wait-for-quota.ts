import type { GroupMember } from '../runs/group-record.js';
import type { RunResult } from './execute-run.js';
import { planQuotaWait, sleepUnlessAborted } from './quota-wait.js';
import type { GroupState } from './run-group.js';

/**
 * `--on-quota wait` for one member whose run ended `quota`: marks it waiting until the limit
 * resets (bounded by --max-wait), sleeps — Ctrl-C and `dispatch cancel` end the sleep — and
 * returns the new member that runs the task again, or null when the group does not wait.
 * Reports the member (done) to the hooks when it is through, whichever way.
 */
export async function waitForQuotaReset(
  state: GroupState,
  member: GroupMember,
  result: RunResult,
  newMember: (key: string, retryOf: string) => GroupMember,
): Promise<GroupMember | null> {
  const now = state.hooks.now ?? (() => new Date());
  const chain = quotaChainOf(state.record.members, member);
  const first = chain[0] ?? member;
  const firstRun = state.results.find((run) => run.runId === first.run_id) ?? result;
  const plan = planQuotaWait({
    resetAt: result.summary.error?.reset_at,
    now: now(),
    firstLimitAtMs: Date.parse(firstRun.summary.completed ?? '') || now().getTime(),
    waitsSoFar: chain.length - 1,
    maxWaitMs: state.plan.maxWaitMs,
  });
  if (plan.kind === 'give_up') {
    member.error_message = `not waiting: ${plan.reason}`;
    state.hooks.onMember?.(member);
    return null;
  }
  const controller = new AbortController();
  state.controllers.set(member.key, controller);
  Object.assign(member, { state: 'waiting', waiting_until: plan.until.toISOString() });
  state.hooks.onMember?.(member);
  await state.persist();
  const slept = await sleepUnlessAborted(plan.waitMs, controller.signal);
  state.controllers.delete(member.key);
  Object.assign(member, { state: 'done', waiting_until: null });
  state.hooks.onMember?.(member);
  if (!slept || state.stopReason !== null) return null;
  const next = newMember(`${first.key}~${chain.length}`, result.runId);
  state.record.members.push(next);
  await state.persist();
  return next;
}

/** The members that ran this task one after another for --on-quota wait, first to last. */
function quotaChainOf(members: GroupMember[], last: GroupMember): GroupMember[] {
  const chain = [last];
  let current = last;
  while (current.retry_of) {
    const previous = members.find((member) => member.run_id === current.retry_of);
    if (!previous) break;
    chain.unshift(previous);
    current = previous;
  }
  return chain;
}
