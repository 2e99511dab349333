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
      state.errorMessage = event.error;
      if (event.error_kind) state.errorKind = event.error_kind;
      break;
    case 'error':
      if (event.fatal || !state.turnFailed) {
        state.errorMessage = event.message;
        if (event.error_kind && (event.fatal || state.errorKind === null)) state.errorKind = event.error_kind;
      }
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
