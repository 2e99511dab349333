import { hostname } from 'node:os';
import { dispatcherVersion } from '../package-info.js';
import { processStartTicks } from '../process/process-identity.js';
import { SUMMARY_SCHEMA_VERSION, type RunSummary } from './summary.js';

export interface SummaryStart {
  runId: string;
  groupId: string | null;
  repo: string;
  repoUrl: string;
  branch: string | null;
  executor: string;
  model: string | null;
  mode: string;
  started: Date;
  sandbox: string;
  labels: Record<string, string>;
  parentRunId: string | null;
  fallbackOf: string | null;
  /** The run's process marker (process/run-marker.ts). */
  marker?: string;
}

/** The summary a run starts with: status `running`, nothing known yet. */
export function createRunningSummary(start: SummaryStart): RunSummary {
  return {
    schema: SUMMARY_SCHEMA_VERSION,
    run_id: start.runId,
    group_id: start.groupId,
    repo: start.repo,
    repo_url: start.repoUrl,
    branch: start.branch,
    executor: start.executor,
    model: start.model,
    mode: start.mode,
    started: start.started.toISOString(),
    completed: null,
    duration_ms: null,
    status: 'running',
    outcome: null,
    exit_code: null,
    dispatch_exit_code: null,
    signal: null,
    before_sha: null,
    after_sha: null,
    after_tree: null,
    changes: null,
    files_changed: 0,
    insertions: 0,
    deletions: 0,
    session_id: null,
    final_message: null,
    usage: null,
    cost_usd: null,
    check: null,
    error: null,
    agent: { cli: null, version: null, tested_version: null, argv: [] },
    dispatcher_version: dispatcherVersion,
    host: hostname(),
    pid: process.pid,
    pid_start: processStartTicks(process.pid),
    agent_pgid: null,
    agent_marker: start.marker ?? null,
    agent_cgroup: null,
    labels: start.labels,
    parent_run_id: start.parentRunId,
    fallback_of: start.fallbackOf,
    unknown_events: 0,
    sandbox: start.sandbox,
    workspace: null,
    warnings: [],
  };
}
