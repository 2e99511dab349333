import { z } from 'zod';
import { OUTCOMES, RUN_STATUSES, SUMMARY_SCHEMA_VERSION } from './summary.js';

/** The schema of summary.json, for code that reads runs back (list, show, abandoned detection). */
const usageSchema = z.object({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_tokens: z.number(),
});

export const summarySchema = z.object({
  schema: z.literal(SUMMARY_SCHEMA_VERSION),
  run_id: z.string(),
  group_id: z.string().nullable(),
  repo: z.string(),
  repo_url: z.string(),
  branch: z.string().nullable(),
  executor: z.string(),
  model: z.string().nullable(),
  mode: z.string(),
  started: z.string(),
  completed: z.string().nullable(),
  duration_ms: z.number().nullable(),
  status: z.enum(RUN_STATUSES),
  outcome: z.enum(OUTCOMES).nullable(),
  /** The agent's own exit code (as the original shell dispatcher recorded it). */
  exit_code: z.number().nullable(),
  /** What `dispatch` exits with for this run (DESIGN §10); null while it runs. */
  dispatch_exit_code: z.number().nullable().optional(),
  signal: z.string().nullable(),
  before_sha: z.string().nullable(),
  after_sha: z.string().nullable(),
  /** The captured tree of the workspace at the end (a resumed run diffs against its parent's). */
  after_tree: z.string().nullable().optional(),
  /** The workspace's tree after --copy and --setup, before the agent: what diff.patch is taken against. */
  baseline_tree: z.string().nullable().optional(),
  changes: z.enum(['committed', 'uncommitted', 'none']).nullable(),
  files_changed: z.number(),
  insertions: z.number(),
  deletions: z.number(),
  session_id: z.string().nullable(),
  final_message: z.string().nullable(),
  usage: usageSchema.nullable(),
  cost_usd: z.number().nullable(),
  check: z
    .object({ command: z.string(), exit_code: z.number().nullable(), passed: z.boolean(), duration_ms: z.number() })
    .nullable(),
  error: z
    .object({ kind: z.string(), message: z.string(), reset_at: z.string().optional() })
    .nullable(),
  agent: z.object({
    cli: z.string().nullable(),
    version: z.string().nullable(),
    tested_version: z.string().nullable(),
    argv: z.array(z.string()),
  }),
  dispatcher_version: z.string(),
  host: z.string(),
  pid: z.number(),
  /** The dispatcher's start time (clock ticks since boot): tells a reused pid apart. */
  pid_start: z.string().nullable().optional(),
  /** The agent's process group id while it runs, so a later reader can kill an orphan. */
  agent_pgid: z.number().nullable(),
  /** The marker every process of the agent inherits (OUTPOST_RUN_MARKER), recorded before it starts. */
  agent_marker: z.string().nullable().optional(),
  /** The run's cgroup v2 directory, where one could be made; recorded before the agent starts. */
  agent_cgroup: z.string().nullable().optional(),
  labels: z.record(z.string(), z.string()),
  parent_run_id: z.string().nullable(),
  fallback_of: z.string().nullable(),
  unknown_events: z.number(),
  structured_output: z.unknown().optional(),
  sandbox: z.string(),
  workspace: z.string().nullable(),
  warnings: z.array(z.string()),
  /** What the caps of output.log and events.jsonl left out; absent when nothing was cut. */
  dropped_output: z.object({ output_log_bytes: z.number(), events: z.number(), event_bytes: z.number() }).optional(),
  /** Files of diff.patch holding the value of a known secret (the value itself is never written). */
  secrets_in_diff: z.array(z.object({ file: z.string() })).optional(),
});

export type RunSummary = z.infer<typeof summarySchema>;
export type UsageTotals = z.infer<typeof usageSchema>;
