/**
 * The normalized event model (DESIGN §4). Both agents' streams map into this one
 * union; it is what events.jsonl holds, one object a line, and what every view reads.
 * The wire field is `type` because events.jsonl is a public contract.
 */

export interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

export type FileChangeKind = 'add' | 'update' | 'delete';

export type AgentEvent =
  | { type: 'session.started'; session_id: string; model?: string }
  | { type: 'turn.started' }
  | { type: 'message'; text: string }
  | { type: 'reasoning'; text: string }
  | {
      type: 'command';
      command: string;
      status: 'in_progress' | 'completed' | 'failed';
      exit_code?: number | null;
      output?: string;
    }
  | { type: 'file.change'; changes: { path: string; kind: FileChangeKind }[]; status?: string }
  | { type: 'tool.call'; tool: string; server?: string; status: string }
  | { type: 'todo'; items: { text: string; completed: boolean }[] }
  | {
      type: 'turn.completed';
      usage?: Usage;
      /**
       * true: usage counts the whole thread, earlier turns and a resumed run's parent included
       * (codex); false: this invocation only (claude's result).
       */
      usage_cumulative?: boolean;
      cost_usd?: number;
      final_text?: string;
      structured_output?: unknown;
    }
  | { type: 'turn.failed'; error: string; error_kind?: ErrorKind; reset_at?: string }
  | {
      type: 'error';
      message: string;
      error_kind?: ErrorKind;
      /** The dispatcher stops the agent at once (auth, usage limit, rate limit past its bound). */
      fatal?: boolean;
      /** When a usage limit resets (ISO UTC), if the agent said. */
      reset_at?: string;
    }
  /** Something the agent reports that does not stop it (codex's unknown model metadata, a limit close to use). */
  | { type: 'warning'; message: string }
  /**
   * A background task the agent runs beside its turn (claude runs shell commands longer than
   * ~2 s as one): `started`, then `completed` / `failed` / `stopped`.
   */
  | { type: 'task'; id: string; status: string; description?: string; summary?: string }
  | { type: 'unknown'; raw: unknown };

export type DispatcherEvent =
  | { type: 'run.started'; run_id: string; executor: string }
  | { type: 'run.finished'; status: string; outcome: string; exit_code: number | null }
  | { type: 'check.finished'; passed: boolean; exit_code: number | null };

export type NormalizedEvent = AgentEvent | DispatcherEvent;

export type EventType = NormalizedEvent['type'];

/**
 * What an agent's own error events tell us about why it failed. `usage_limit`: the plan's
 * window (5-hour, weekly) or credits are used up, nothing helps until it resets;
 * `rate_limit`: 429s the agent retried and gave up on. Both are outcome `quota`.
 */
export type ErrorKind = 'auth' | 'usage_limit' | 'rate_limit' | 'network' | 'server' | 'other';

export type TimedEvent = NormalizedEvent & { ts: string };

/** Truncate long command output kept in events. */
export const EVENT_OUTPUT_MAX_CHARS = 4_000;

export function truncateOutput(text: string, max = EVENT_OUTPUT_MAX_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}${truncationNote(text.length - max)}`;
}

/** What truncateOutput puts after the kept part (ASCII: a `…` would make the whole text two-byte, and slower to write). */
export function truncationNote(cutChars: number): string {
  return `\n... [${cutChars} more characters]`;
}
