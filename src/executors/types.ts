import type { AgentEvent } from '../events.js';
import type { AgentOptions } from './agent-options.js';
import type { LoginInfo, LoginRefreshWatch } from './login-types.js';

export type ExecutorName = 'codex' | 'claude';

/** --sandbox values, mapped by each executor onto its own flags. */
export type SandboxMode = 'read-only' | 'workspace-write' | 'full';

/** Everything an executor needs to build one agent invocation. */
export interface InvocationRequest {
  /** Absolute path of the agent binary (already resolved). */
  bin: string;
  /** The run's git worktree: the agent's cwd. */
  worktree: string;
  /** The run directory (runs/<run-id>). */
  runDir: string;
  /** The run's private agent home inside runDir (CODEX_HOME / claude config dir). */
  agentHome: string;
  sandbox: SandboxMode;
  model?: string | undefined;
  /** Extra system/developer instructions (--instructions FILE contents). */
  instructions?: string | undefined;
  /** The environment the dispatcher was started with; the executor picks what it passes on. */
  baseEnv: NodeJS.ProcessEnv;
  /** Set for `resume`: the agent's own session / thread id. */
  resumeSessionId?: string | undefined;
  /** --reasoning, --mcp-config, --output-schema, --codex-arg/--claude-arg (env options are in baseEnv already). */
  agent?: AgentOptions | undefined;
}

/** A fully built command: never run through a shell; the prompt goes on stdin. */
export interface Invocation {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Turns an agent's stdout, one line at a time, into normalized events. Holds per-run state only. */
export type LineParser = (line: string) => AgentEvent[];

export interface Executor {
  readonly name: ExecutorName;
  /** The npm package that ships the CLI, for install hints. */
  readonly npmPackage: string;
  /** The binary's file name on PATH and in node_modules/.bin. */
  readonly binName: string;
  /** Environment variable that overrides the binary path. */
  readonly binEnvVar: string;
  /** A file (relative to the agent home) where the CLI writes its final answer, if it does. */
  readonly lastMessageFile?: string;
  /** How to fix a login the agent refused, for the run's one error line. */
  readonly loginHint: string;
  /** The user's own agent home (credentials, config) that each run's private one is seeded from. */
  userHome(baseEnv: NodeJS.ProcessEnv): string;
  /** Creates and seeds the run's private agent home (config copied with mode 0600; the login shared, never copied). */
  prepareHome(agentHome: string, baseEnv: NodeJS.ProcessEnv): Promise<void>;
  /**
   * Gives a new run's agent home what the CLI would otherwise set up on every start (codex:
   * its empty databases), from a copy kept in cacheDir per binary; never anything of the user's.
   */
  seedHome?(agentHome: string, bin: string, cacheDir: string, baseEnv: NodeJS.ProcessEnv): Promise<unknown>;
  /** The variables that carry the agent's login or endpoint: kept under --clean-env. */
  loginEnvVars(baseEnv: NodeJS.ProcessEnv): string[];
  /** Writes the run's own agent settings (MCP servers, output schema) into its agent home. */
  writeRunConfig(agentHome: string, options: AgentOptions): Promise<void>;
  /** Points an existing agent home (a resumed run's) at the user's login again. */
  shareLogin(agentHome: string, baseEnv: NodeJS.ProcessEnv): Promise<void>;
  /** The login a run will use, for `dispatch doctor`; prints no secret. */
  describeLogin(baseEnv: NodeJS.ProcessEnv): LoginInfo;
  /** For logins the agent refreshes without a lock of its own: when a refresh is due. */
  watchLoginRefresh?(baseEnv: NodeJS.ProcessEnv, now: Date): LoginRefreshWatch | undefined;
  /**
   * Whether the agent has a login it can use, judged from the seeded agent home and the
   * environment, without printing secrets. Checked before the agent starts.
   */
  checkAuth(agentHome: string, baseEnv: NodeJS.ProcessEnv): AuthStatus;
  /**
   * What actually runs for a located binary, with the environment it needs (codex: its native
   * binary rather than the npm launcher). Absent: the located binary itself.
   */
  resolveCommand?(bin: string, env: Record<string, string>): { bin: string; env: Record<string, string> };
  /** Builds the invocation (a resume when req.resumeSessionId is set). */
  buildInvocation(req: InvocationRequest): Invocation;
  /** A fresh parser for one run's stdout. */
  createParser(): LineParser;
  /** What the agent recorded about a finished session beyond its stdout (codex's rollout). */
  readSessionFacts?(agentHome: string, sessionId: string): Promise<SessionFacts>;
  /** Extracts the CLI version from `<bin> --version` output. */
  parseVersion(output: string): string | undefined;
}

/** Facts an agent keeps in its own session files rather than printing them. */
export interface SessionFacts {
  /** The model the agent actually used. */
  model?: string;
  /** When a used-up usage window resets (ISO UTC), to the second. */
  usageLimitResetAt?: string;
}

export interface AuthStatus {
  ok: boolean;
  /** Where the login comes from, or what is missing and how to fix it. */
  detail: string;
}
