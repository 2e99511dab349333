import type { AgentEvent, TimedEvent } from '../events.js';
import type { Executor, Invocation } from '../executors/types.js';
import { startAgentProcess, type AgentProcessResult } from '../process/agent-process.js';
import { blockLineTexts } from '../process/line-splitter.js';
import type { EventLog } from '../runs/event-log.js';
import type { OutputLog } from '../runs/output-log.js';
import { applyEvent, type RunState } from '../runs/run-state.js';

export interface AgentSessionOptions {
  executor: Executor;
  invocation: Invocation;
  prompt: string;
  outputLog: OutputLog;
  eventLog: EventLog;
  state: RunState;
  timeoutMs: number;
  idleTimeoutMs: number;
  graceMs: number;
  signal?: AbortSignal | undefined;
  /** The run's process marker and cgroup (containment.ts), already in summary.json. */
  marker: string;
  cgroup: string | null;
  onStart?: (pgid: number | undefined) => void;
  onEvent?: (event: TimedEvent) => void;
}

/**
 * Runs the agent once: every stdout line goes to output.log and through the executor's
 * parser into events.jsonl and the run state; stderr goes to output.log. A fatal error
 * event (auth, quota) stops the agent at once instead of waiting out its retries.
 */
export async function runAgentSession(opts: AgentSessionOptions): Promise<AgentProcessResult> {
  const parse = opts.executor.createParser();
  const record = (event: AgentEvent) => {
    const timed = opts.eventLog.append(event);
    applyEvent(opts.state, event);
    opts.onEvent?.(timed);
    if (event.type === 'error' && event.fatal) agent.stop('fatal_error');
  };
  // Output that cannot be kept (a full disk) is no run worth going on with: finishRun says why.
  const stopIfLogsFailed = () => {
    if (opts.outputLog.failure || opts.eventLog.failure) agent.stop('fatal_error');
  };
  const agent = startAgentProcess({
    invocation: opts.invocation,
    input: opts.prompt,
    timeoutMs: opts.timeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
    graceMs: opts.graceMs,
    marker: opts.marker,
    cgroup: opts.cgroup,
    onStdoutLines(block) {
      opts.outputLog.writeBlock(block);
      stopIfLogsFailed();
      for (const text of blockLineTexts(block)) for (const event of parse(text)) record(event);
    },
    onStderrLines(block) {
      opts.outputLog.writeBlock(block);
      stopIfLogsFailed();
    },
    // Pause the agent's pipes while either log's buffer is full: memory stays flat.
    waitForSink: () => {
      if (opts.outputLog.needsDrain()) return opts.outputLog.drained();
      return opts.eventLog.needsDrain() ? opts.eventLog.drained() : undefined;
    },
  });
  opts.onStart?.(agent.pid);
  const onAbort = () => agent.stop('cancel');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await agent.done;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
