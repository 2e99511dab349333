import type { TimedEvent } from '../events.js';

/** A few words on what an agent is doing, for the progress display; undefined for quiet events. */
export function activityOf(event: TimedEvent): string | undefined {
  switch (event.type) {
    case 'command':
      return `$ ${event.command}`;
    case 'file.change':
      return `edit ${event.changes.map((change) => change.path).join(', ')}`;
    case 'tool.call':
      return `tool ${event.server ? `${event.server}/` : ''}${event.tool}`;
    case 'message':
      return 'writing the answer';
    case 'reasoning':
      return 'thinking';
    case 'todo':
      return 'updating its plan';
    case 'check.finished':
      return event.passed ? 'check passed' : 'check failed';
    case 'error':
      return `error: ${event.message}`;
    case 'warning':
      return `warning: ${event.message}`;
    case 'task':
      return `task ${event.status}${event.description ? `: ${event.description}` : ''}`;
    default:
      return undefined;
  }
}
