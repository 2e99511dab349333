/** The agent options users set once (flags or config) and each executor maps onto its own CLI. */

export const REASONING_LEVELS = ['low', 'medium', 'high'] as const;
export type ReasoningLevel = (typeof REASONING_LEVELS)[number];

/** One MCP server of the common `{"mcpServers": {NAME: {...}}}` JSON (stdio, or a URL). */
export interface McpServer {
  command?: string | undefined;
  args?: string[] | undefined;
  env?: Record<string, string> | undefined;
  url?: string | undefined;
}

/** What a run passes to its agent beyond the task, model and instructions. */
export interface AgentOptions {
  reasoning?: ReasoningLevel | undefined;
  /** --mcp-config: the servers, by name. */
  mcpServers?: Record<string, McpServer> | undefined;
  /** --output-schema: the JSON Schema of the final answer. */
  outputSchema?: Record<string, unknown> | undefined;
  /** --codex-arg / --claude-arg: appended to that agent's own arguments. */
  extraArgs?: string[] | undefined;
  /** --env KEY=VALUE (or KEY, taken from dispatch's environment): set for the agent. */
  env?: Record<string, string> | undefined;
  /** --clean-env: the agent gets PATH, HOME, locale, its login variables and --env only. */
  cleanEnv?: boolean | undefined;
}

/** Variables every agent keeps under --clean-env, besides its own login variables. */
const BASE_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TERM', 'TZ', 'LANG', 'LANGUAGE'];

/**
 * The environment an agent starts from: dispatch's own, or with --clean-env only PATH, HOME,
 * locale (LANG, LC_*), the agent's login variables; then --env on top. Pure.
 */
export function buildAgentEnv(env: NodeJS.ProcessEnv, options: Pick<AgentOptions, 'env' | 'cleanEnv'> | undefined, loginVars: readonly string[]): NodeJS.ProcessEnv {
  if (!options?.cleanEnv && !options?.env) return env;
  const kept = (name: string) => BASE_ENV.includes(name) || name.startsWith('LC_') || loginVars.includes(name);
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!options.cleanEnv || kept(name)) out[name] = value;
  return { ...out, ...options.env };
}

/** A run template's agent options: what differs per executor is kept per executor. */
export interface RunAgentOptions extends Omit<AgentOptions, 'extraArgs'> {
  /** --codex-arg / --claude-arg. */
  extraArgs?: Partial<Record<'codex' | 'claude', string[]>> | undefined;
  /** The --model alias (fast, smart, or one from config) resolved per executor. */
  models?: Partial<Record<'codex' | 'claude', string>> | undefined;
  /** The --mcp-config file (absolute) the servers were read from: a resume reads it again. */
  mcpConfigFile?: string | undefined;
}

/** The options one executor's run gets. Pure. */
export function agentOptionsFor(options: RunAgentOptions | undefined, executor: 'codex' | 'claude'): AgentOptions | undefined {
  if (!options) return undefined;
  return {
    reasoning: options.reasoning,
    mcpServers: options.mcpServers,
    outputSchema: options.outputSchema,
    extraArgs: options.extraArgs?.[executor] ?? [],
    env: options.env,
    cleanEnv: options.cleanEnv,
  };
}
