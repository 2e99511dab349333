import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { McpServer } from '../executors/agent-options.js';
import { readUserFile } from './run-options.js';

const serverSchema = z
  .object({
    type: z.enum(['stdio', 'http', 'sse']).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    url: z.string().url().optional(),
  })
  .refine((server) => server.command !== undefined || server.url !== undefined, 'needs a command (stdio) or a url');

const mcpConfigSchema = z.object({
  mcpServers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'server names are letters, digits, _ and -'), serverSchema),
});

/** Parses the common `{"mcpServers": {...}}` JSON; every problem is listed at once. Pure. */
export function parseMcpConfig(text: string, path: string): Record<string, McpServer> {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--mcp-config ${path} is not valid JSON: ${(error as Error).message}`, 'fix the file');
  }
  const parsed = mcpConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
    throw new UsageError(`invalid --mcp-config ${path}: ${problems.join('; ')}`, 'use {"mcpServers": {"NAME": {"command": "...", "args": [...]}}}');
  }
  const servers: Record<string, McpServer> = {};
  for (const [name, { command, args, env, url }] of Object.entries(parsed.data.mcpServers)) servers[name] = { command, args, env, url };
  return servers;
}

export async function readMcpConfigFile(path: string): Promise<Record<string, McpServer>> {
  return parseMcpConfig(await readUserFile('--mcp-config', path), path);
}
