import type { ExecutorName, SandboxMode } from '../executors/types.js';
import type { TimedEvent } from '../events.js';
import type { RepoSpec } from '../repos/repo-arg.js';
import type { DispatchHome } from '../runs/home.js';

/** Everything one run needs, validated before any file is written. */
export interface RunPlan {
  executor: ExecutorName;
  /** Absolute path of the agent binary. */
  bin: string;
  repo: RepoSpec;
  task: string;
  instructions?: string | undefined;
  model?: string | undefined;
  branch?: string | undefined;
  sandbox: SandboxMode;
  timeoutMs: number;
  idleTimeoutMs: number;
  /** SIGTERM → SIGKILL delay when stopping the agent. */
  graceMs: number;
  /** output.log is cut beyond this many bytes. */
  outputCapBytes: number;
  labels: Record<string, string>;
  keepWorkspace: boolean;
  requireChanges: boolean;
  home: DispatchHome;
  env: NodeJS.ProcessEnv;
  mode: string;
  groupId: string | null;
  /** Set when the run continues another run's session (resume). */
  parentRunId?: string | undefined;
  fallbackOf?: string | undefined;
}

/** Hooks for the caller (CLI progress, tests); all optional. */
export interface RunHooks {
  /** Aborting cancels the run: the agent's group is stopped and the summary says `cancelled`. */
  signal?: AbortSignal;
  onRunCreated?: (runId: string, runDir: string) => void;
  onEvent?: (runId: string, event: TimedEvent) => void;
  now?: () => Date;
}
