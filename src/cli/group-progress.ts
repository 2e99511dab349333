import type { GroupHooks } from '../modes/run-group.js';
import { createProgressView, type MemberProgress, type ProgressStream, type ProgressView } from '../report/progress-view.js';
import type { GroupMember } from '../runs/group-record.js';
import { activityOf } from '../report/activity.js';
import { loadLiveLog } from '../report/live-log.js';

/** Connects a group's member updates to the progress display. */
export async function watchGroupProgress(stream: ProgressStream): Promise<{ hooks: GroupHooks; view: () => ProgressView | undefined }> {
  if (stream.isTTY === true) await loadLiveLog();
  let view: ProgressView | undefined;
  const update = (member: GroupMember, patch: Parameters<ProgressView['update']>[1]) =>
    view?.update(member.key, { executor: member.executor, attempt: member.attempt, ...patch });
  return {
    view: () => view,
    hooks: {
      onGroupCreated: (_groupId, _dir, members) => {
        view = createProgressView(stream, members.map(({ key, executor, attempt }) => ({ key, executor, attempt })));
      },
      onMember: (member, event) => {
        if (event) {
          const activity = activityOf(event);
          update(member, { ...(activity ? { lastActivity: activity } : {}), ...(member.tokens !== null ? { tokens: member.tokens } : {}) });
          return;
        }
        update(member, {
          id: member.run_id ?? member.key,
          state: progressStateOf(member.state),
          ...(member.state === 'waiting' && member.waiting_until ? { waitingUntil: Date.parse(member.waiting_until) } : {}),
          ...(member.outcome ? { outcome: member.outcome } : member.state === 'not_started' ? { outcome: 'not started' } : {}),
          ...(member.run_dir ? { runDir: member.run_dir } : {}),
        });
      },
    },
  };
}

function progressStateOf(state: GroupMember['state']): MemberProgress['state'] {
  if (state === 'done' || state === 'not_started') return 'done';
  return state === 'running' || state === 'waiting' ? state : 'queued';
}
