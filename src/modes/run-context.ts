import type { NormalizedEvent, TimedEvent } from '../events.js';
import type { Executor } from '../executors/types.js';
import type { EventLog } from '../runs/event-log.js';
import type { OutputLog } from '../runs/output-log.js';
import type { ByteRedactor, Redactor } from '../runs/redact.js';
import type { RunPaths } from '../runs/run-dir.js';
import type { RunState } from '../runs/run-state.js';
import type { RunSummary } from '../runs/summary.js';
import type { RunHooks, RunPlan } from './run-plan.js';

/** One run in progress: its plan, its files and what is known so far. */
export interface RunContext {
  plan: RunPlan;
  hooks: RunHooks;
  executor: Executor;
  paths: RunPaths;
  summary: RunSummary;
  state: RunState;
  redact: Redactor;
  /** The same secrets, on raw bytes (output.log, diff.patch). */
  redactBytes: ByteRedactor;
  eventLog: EventLog;
  outputLog: OutputLog;
  now: () => Date;
  /** Records a dispatcher event in events.jsonl and tells the caller. */
  emit(event: NormalizedEvent): TimedEvent;
  isCancelled(): boolean;
  /** The mirror's fetch and the base commit, started before the run dir was made (a single run). */
  baseFetch?: Promise<NonNullable<RunPlan['base']>> | undefined;
}
