import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { REASONING_LEVELS, type ReasoningLevel, type RunAgentOptions } from '../executors/agent-options.js';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The flags of `dispatch run` that reach the agent itself. */
export interface AgentFlags {
  instructions?: string;
  reasoning?: string;
  mcpConfig?: string;
  outputSchema?: string;
  codexArg?: string[];
  claudeArg?: string[];
  env?: string[];
  cleanEnv?: boolean;
}

/** Adds the agent options to `dispatch run`. */
export function addAgentOptions(command: Command): Command {
  return command
    .option('--instructions <text|@file>', 'extra instructions for the agent (codex: developer instructions; claude: appended system prompt); @FILE reads a file')
    .option('--reasoning <level>', "reasoning effort: low, medium or high (codex model_reasoning_effort, claude --effort)")
    .option('--mcp-config <file>', 'MCP servers for the agent, as {"mcpServers": {NAME: {command, args, env}}}')
    .option('--output-schema <file>', 'JSON Schema of the final answer; the result lands in summary.json structured_output')
    .option('--codex-arg <arg>', 'extra argument for codex (repeatable)', collect)
    .option('--claude-arg <arg>', 'extra argument for claude (repeatable)', collect)
    .option('--env <key[=value]>', "set a variable for the agent; KEY alone passes dispatch's own (repeatable)", collect)
    .option('--clean-env', 'the agent gets only PATH, HOME, locale, its login variables and --env');
}

/** Built-in model aliases; a config's `models` adds to or redefines them. */
export const DEFAULT_MODEL_ALIASES: Record<string, { codex?: string; claude?: string }> = {
  fast: { codex: 'gpt-6-luna', claude: 'haiku' },
  smart: { codex: 'gpt-6-astra', claude: 'opus' },
};

/** `--instructions`: @FILE reads the file; an existing file's path still does (as before); anything else is the text. */
export async function readInstructions(value: string | undefined): Promise<string | undefined> {
  if (value === undefined || value === '') return undefined;
  const { readUserFile } = await import('./run-options.js');
  if (value.startsWith('@')) return readUserFile('--instructions', value.slice(1));
  if (!/\s/.test(value) && existsSync(value) && statSync(value).isFile()) return readUserFile('--instructions', value);
  return value;
}

function parseReasoning(value: string | undefined): ReasoningLevel | undefined {
  if (value === undefined) return undefined;
  if ((REASONING_LEVELS as readonly string[]).includes(value)) return value as ReasoningLevel;
  throw new UsageError(`invalid --reasoning '${value}'`, `use one of: ${REASONING_LEVELS.join(', ')}`);
}

/** `--env KEY=VALUE` or `--env KEY` (from dispatch's own environment; unset is an error). */
export function parseEnvFlags(values: string[], env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq === -1 ? value : value.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`invalid --env '${value}'`, 'use KEY=VALUE or KEY, with a key of letters, digits and _');
    const given = eq === -1 ? env[key] : value.slice(eq + 1);
    if (given === undefined) throw new UsageError(`--env ${key}: ${key} is not set in dispatch's environment`, `set it, or give the value: --env ${key}=VALUE`);
    out[key] = given;
  }
  return out;
}

/** The models an alias stands for, per executor; a name that is no alias passes through. */
export function resolveModelAlias(model: string | undefined, aliases: Record<string, { codex?: string; claude?: string }>): RunAgentOptions['models'] {
  if (model === undefined || !Object.hasOwn(aliases, model)) return undefined;
  const alias = aliases[model] ?? {};
  return { codex: alias.codex ?? model, claude: alias.claude ?? model };
}

/** Reads and checks every agent option: a bad file or value is a usage error before any run starts. */
export async function parseAgentOptions(
  flags: AgentFlags & { model?: string },
  env: NodeJS.ProcessEnv,
  aliases: Record<string, { codex?: string; claude?: string }>,
): Promise<RunAgentOptions | undefined> {
  // Loaded only when the flag is given: zod and Ajv stay out of every other start-up (a `--queue` submit's too).
  const options: RunAgentOptions = {
    reasoning: parseReasoning(flags.reasoning),
    mcpServers: flags.mcpConfig === undefined ? undefined : await (await import('./mcp-config-file.js')).readMcpConfigFile(flags.mcpConfig),
    mcpConfigFile: flags.mcpConfig === undefined ? undefined : resolve(flags.mcpConfig),
    outputSchema: flags.outputSchema === undefined ? undefined : await (await import('./output-schema-file.js')).readOutputSchemaFile(flags.outputSchema),
    extraArgs: { codex: flags.codexArg ?? [], claude: flags.claudeArg ?? [] },
    env: parseEnvFlags(flags.env ?? [], env),
    cleanEnv: flags.cleanEnv === true,
    models: resolveModelAlias(flags.model, { ...DEFAULT_MODEL_ALIASES, ...aliases }),
  };
  return options;
}
