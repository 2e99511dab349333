import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReasoningLevel, RunAgentOptions } from '../executors/agent-options.js';

/** In the run directory: what the run told its agent besides the task, for `dispatch resume`. */
export const AGENT_OPTIONS_FILE = 'agent-options.json';

/**
 * The agent options of a run, without a secret: `--env` by name only (a resume takes the
 * values from its own environment), the MCP servers as the file they came from (their `env`
 * may hold tokens; a resume reads the file again).
 */
export interface SavedAgentOptions {
  instructions?: string | undefined;
  model?: string | undefined;
  models?: Partial<Record<'codex' | 'claude', string>> | undefined;
  reasoning?: ReasoningLevel | undefined;
  mcpConfigFile?: string | undefined;
  outputSchema?: Record<string, unknown> | undefined;
  extraArgs?: Partial<Record<'codex' | 'claude', string[]>> | undefined;
  envNames?: string[] | undefined;
  cleanEnv?: boolean | undefined;
}

/** What to save of a run's options. Pure; `redact` hides secrets an agent argument may hold. */
export function describeAgentOptions(
  plan: { instructions?: string | undefined; model?: string | undefined; agent?: RunAgentOptions | undefined },
  redact: (text: string) => string,
): SavedAgentOptions {
  const { agent } = plan;
  const args = agent?.extraArgs;
  return {
    instructions: plan.instructions,
    model: plan.model,
    models: agent?.models,
    reasoning: agent?.reasoning,
    mcpConfigFile: agent?.mcpConfigFile,
    outputSchema: agent?.outputSchema,
    extraArgs: args ? { codex: args.codex?.map(redact), claude: args.claude?.map(redact) } : undefined,
    envNames: agent?.env ? Object.keys(agent.env) : undefined,
    cleanEnv: agent?.cleanEnv,
  };
}

/** A run's saved options; undefined for a run made before they were saved, or an unreadable file. */
export async function readSavedAgentOptions(runDir: string): Promise<SavedAgentOptions | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(runDir, AGENT_OPTIONS_FILE), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed) : undefined;
  } catch {
    return undefined;
  }
}
