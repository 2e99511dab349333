import type { AgentEvent, ErrorKind, Usage } from '../events.js';

/** What a run's events add up to; folded one event at a time so memory stays flat. */
export interface RunState {
  sessionId: string | null;
  model: string | null;
  usage: Usage | null;
  costUsd: number | null;
  /** The last agent message seen. */
  lastMessage: string | null;
  /** The final answer the agent reported with its completed turn, if it did. */
  finalText: string | null;
  structuredOutput: unknown;
  unknownEvents: number;
  turnFailed: boolean;
  /** The most telling error: a fatal one or the turn failure, else the last warning. */
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  /** When the usage limit the agent hit resets (ISO UTC), if it said. */
  resetAt: string | null;
}

export function createRunState(): RunState {
  return {
    sessionId: null,
    model: null,
    usage: null,
    costUsd: null,
    lastMessage: null,
    finalText: null,
    structuredOutput: undefined,
    unknownEvents: 0,
    turnFailed: false,
    errorKind: null,
    errorMessage: null,
    resetAt: null,
  };
}

/** Folds one event into the state. Pure apart from mutating `state`. */
export function applyEvent(state: RunState, event: AgentEvent): void {
  switch (event.type) {
    case 'session.started':
      state.sessionId = event.session_id;
      if (event.model) state.model = event.model;
      break;
    case 'message':
      state.lastMessage = event.text;
      break;
    case 'turn.completed':
      // codex reports usage cumulative over the thread, claude's result covers the run:
      // either way the latest report is the total.
      if (event.usage) state.usage = event.usage;
      if (event.cost_usd !== undefined) state.costUsd = event.cost_usd;
      if (event.final_text !== undefined) state.finalText = event.final_text;
      if (event.structured_output !== undefined) state.structuredOutput = event.structured_output;
      break;
    case 'turn.failed':
      state.turnFailed = true;
      // A usage limit already seen (claude's rate_limit_event) stays the reason: the result
      // that follows only repeats it.
      if (state.errorKind !== 'usage_limit' || event.error_kind === 'usage_limit') {
        state.errorMessage = event.error;
        if (event.error_kind) state.errorKind = event.error_kind;
      }
      // The first reset named is the most exact (claude's epoch before its clock-time text).
      if (event.reset_at) state.resetAt ??= event.reset_at;
      break;
    case 'error':
      if ((event.fatal || !state.turnFailed) && state.errorKind !== 'usage_limit') {
        state.errorMessage = event.message;
        if (event.error_kind && (event.fatal || state.errorKind === null)) state.errorKind = event.error_kind;
      }
      if (event.reset_at) state.resetAt ??= event.reset_at;
      break;
    case 'unknown':
      state.unknownEvents += 1;
      break;
    default:
      break;
  }
}

/** The run's final answer: what the agent reported last. */
export function finalMessageOf(state: RunState, lastMessageFile: string | null): string | null {
  const fromFile = lastMessageFile?.trim() ? lastMessageFile : null;
  return fromFile ?? state.finalText ?? state.lastMessage;
}
