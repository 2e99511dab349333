import type { RunAgentOptions } from '../executors/agent-options.js';
import type { ExecutorName, SandboxMode } from '../executors/types.js';
import type { TimedEvent } from '../events.js';
import type { RepoSpec } from '../repos/repo-arg.js';
import type { DispatchHome } from '../runs/home.js';

/** Everything one run needs, validated before any file is written. */
export interface RunPlan {
  /** A run id chosen beforehand (a queued run: the submitter's runs/<run-id> and the worker's match). */
  runId?: string | undefined;
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
  /** --fetch-timeout: the mirror's ls-remote and fetch together (default 10m). */
  fetchTimeoutMs?: number | undefined;
  /** output.log is cut beyond this many bytes. */
  outputCapBytes: number;
  labels: Record<string, string>;
  keepWorkspace: boolean;
  /** --workspace-pool: clean worktrees parked per repository for the next runs (0 = off; default 2). */
  workspacePool?: number | undefined;
  requireChanges: boolean;
  home: DispatchHome;
  env: NodeJS.ProcessEnv;
  mode: string;
  groupId: string | null;
  /** The mirror and base commit, when a group fetched them once for all its members. */
  base?: { mirrorPath: string; branch: string; sha: string; warnings?: string[] } | undefined;
  /** `--check CMD`: run in the workspace after the agent; a failure is outcome check_failed. */
  check?: ShellCommand | undefined;
  /** `--setup CMD`: run in the fresh worktree before the agent (install dependencies). */
  setup?: ShellCommand | undefined;
  /** `--copy PATH`: files or folders copied into the worktree before setup. */
  copy?: CopyItem[] | undefined;
  /** Set when the run continues another run's session in that run's workspace (resume). */
  resume?: ResumeFrom | undefined;
  fallbackOf?: string | undefined;
  /** --reasoning, --mcp-config, --output-schema, --env, --clean-env, --codex-arg/--claude-arg, model aliases. */
  agent?: RunAgentOptions | undefined;
}

/** Hooks for the caller (CLI progress, tests); all optional. */
export interface RunHooks {
  /**
   * Aborting cancels the run: the agent's group is stopped and the summary says `cancelled`.
   * The abort reason may be a CancelReason, recorded as error.kind.
   */
  signal?: AbortSignal;
  onRunCreated?: (runId: string, runDir: string) => void;
  onEvent?: (runId: string, event: TimedEvent) => void;
  now?: () => Date;
}

/** A command the user wrote, run with /bin/sh in the worktree. */
export interface ShellCommand {
  command: string;
  timeoutMs: number;
}

/** A file or folder to copy into the worktree: absolute source, target relative to the worktree root. */
export interface CopyItem {
  source: string;
  target: string;
}

/** Why a group stopped one of its runs. */
export type CancelReason = 'budget' | 'race_lost' | 'interrupted' | 'cancelled';

/** What a resumed run takes over from its parent run. */
export interface ResumeFrom {
  parentRunId: string;
  sessionId: string;
  /** The parent's worktree and agent home: the agent continues where it was. */
  workspace: string;
  agentHome: string;
  /** The commit the parent started from (its before_sha). */
  baseSha: string;
  /** The parent's end state: HEAD commit and captured tree. */
  parentSha: string;
  parentTree: string;
  /** The first run's tree after --copy/--setup, when it had them: diff-from-base.patch is against it. */
  baselineTree?: string | undefined;
}
