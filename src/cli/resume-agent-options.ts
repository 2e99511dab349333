import { loadConfigFiles } from '../config/load-config.js';
import { UsageError } from '../errors.js';
import type { RunAgentOptions } from '../executors/agent-options.js';
import type { SavedAgentOptions } from '../runs/agent-options-file.js';
import { parseAgentOptions, readInstructions, type AgentFlags } from './agent-options.js';

/** What a resumed run tells its agent besides the follow-up. */
export interface ResumedAgentOptions {
  instructions?: string | undefined;
  model?: string | undefined;
  agent?: RunAgentOptions | undefined;
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

/**
 * The parent run's agent options (agent-options.json), each replaced by the flag typed to
 * `dispatch resume` when there is one. The parent's `--env` names take their values from
 * this dispatch's environment; its MCP servers are read again from their file.
 */
export async function resolveResumeAgentOptions(
  parentRunId: string,
  saved: SavedAgentOptions | undefined,
  flags: AgentFlags & { model?: string },
  env: NodeJS.ProcessEnv,
  homeRoot: string,
): Promise<ResumedAgentOptions> {
  const typed = new Set((flags.env ?? []).map(envKey));
  const inherited = (saved?.envNames ?? []).filter((name) => !typed.has(name));
  for (const name of inherited) {
    if (env[name] === undefined) {
      throw new UsageError(`run ${parentRunId} gave its agent ${name} (--env), and ${name} is not set now`, `set it, or give it again: --env ${name}=VALUE`);
    }
  }
  const aliases = (await loadConfigFiles(homeRoot, undefined))[0]?.values.models ?? {};
  const agent = await parseAgentOptions(
    {
      model: flags.model,
      reasoning: flags.reasoning ?? saved?.reasoning,
      mcpConfig: flags.mcpConfig ?? saved?.mcpConfigFile,
      outputSchema: flags.outputSchema,
      codexArg: flags.codexArg ?? saved?.extraArgs?.codex,
      claudeArg: flags.claudeArg ?? saved?.extraArgs?.claude,
      env: [...inherited, ...(flags.env ?? [])],
      cleanEnv: flags.cleanEnv ?? saved?.cleanEnv,
    },
    env,
    aliases,
  );
  if (agent && flags.outputSchema === undefined) agent.outputSchema = saved?.outputSchema;
  if (agent && flags.model === undefined) agent.models = saved?.models;
  return {
    instructions: flags.instructions === undefined ? saved?.instructions : await readInstructions(flags.instructions),
    model: flags.model ?? saved?.model,
    agent,
  };
}
