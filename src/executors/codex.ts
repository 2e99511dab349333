import { homedir } from 'node:os';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { readCodexRollout } from './codex-rollout.js';
import { join } from 'node:path';
import { copyEnv, linkAgentFile, parseSemver, runNow, seedAgentHome } from './agent-home.js';
import { createCodexParser } from './codex-events.js';
import type { AgentOptions, McpServer } from './agent-options.js';
import { updateCodexConfigFile } from './codex-config.js';
import { resolveCodexCommand } from './codex-native.js';
import { seedCodexState } from './codex-state-seed.js';
import { describeCodexLogin, readCodexProvider, watchCodexRefresh } from './codex-login.js';
import type { AuthStatus, Executor, Invocation, InvocationRequest, SandboxMode } from './types.js';

const CODEX_LAST_MESSAGE_FILE = 'last-message.txt';
/** --output-schema's schema, written into the run's CODEX_HOME for codex's own --output-schema. */
const CODEX_OUTPUT_SCHEMA_FILE = 'output-schema.json';

function sandboxArgs(sandbox: SandboxMode): string[] {
  switch (sandbox) {
    case 'read-only':
      return ['-s', 'read-only'];
    case 'workspace-write':
      return ['-s', 'workspace-write'];
    case 'full':
      return ['--dangerously-bypass-approvals-and-sandbox'];
  }
}

/** A TOML basic string: JSON's escapes are valid TOML escapes. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

function buildCodexInvocation(req: InvocationRequest): Invocation {
  const args = ['exec', '--json', ...sandboxArgs(req.sandbox), '-C', req.worktree];
  // codex writes its final answer here; the dispatcher alone writes the run's last-message.md.
  args.push('-o', join(req.agentHome, CODEX_LAST_MESSAGE_FILE));
  if (req.model) args.push('-m', req.model);
  if (req.instructions) args.push('-c', `developer_instructions=${tomlString(req.instructions)}`);
  if (req.agent?.reasoning) args.push('-c', `model_reasoning_effort=${tomlString(req.agent.reasoning)}`);
  if (req.agent?.outputSchema) args.push('--output-schema', join(req.agentHome, CODEX_OUTPUT_SCHEMA_FILE));
  // codex 0.169 retries a refused connection forever ("waiting for network") while still
  // printing, so no idle timeout would ever end it: keep its retries bounded.
  args.push('--disable', 'unbounded_connection_retries');
  // The run's auth.json is a link to the user's: file storage keeps codex on that one file
  // (a keyring entry is keyed by CODEX_HOME, so a run's would be its own, forked copy).
  args.push('-c', 'cli_auth_credentials_store="file"');
  args.push(...(req.agent?.extraArgs ?? []));
  if (req.resumeSessionId) args.push('resume', req.resumeSessionId);
  args.push('-');
  const env = copyEnv(req.baseEnv);
  env.CODEX_HOME = req.agentHome;
  const command = resolveCodexCommand(req.bin, env);
  return { file: command.bin, args, env: command.env, cwd: req.worktree };
}

/** The user's own codex home: $CODEX_HOME or ~/.codex. */
export function userCodexHome(env: NodeJS.ProcessEnv): string {
  return env.CODEX_HOME ?? join(env.HOME ?? homedir(), '.codex');
}

// codex 0.169 has no "not logged in" error: with no key it loops "waiting for network"
// forever, so the dispatcher must refuse to start it without a login.
function checkCodexAuth(agentHome: string, env: NodeJS.ProcessEnv): AuthStatus {
  const login = describeCodexLogin(agentHome, env);
  if (login.kind === 'none') return { ok: false, detail: `codex is not logged in: ${login.note}` };
  if (login.kind === 'keyring') return { ok: false, detail: `codex's login is in the OS keyring: ${login.note}` };
  const { envKey } = readCodexProvider(join(agentHome, 'config.toml'));
  if (login.kind === 'custom-provider' && envKey !== undefined && !env[envKey]) {
    return { ok: false, detail: `config.toml's model provider needs ${envKey}; set it in the environment` };
  }
  return { ok: true, detail: login.source };
}

// A link, never a copy: codex 0.169 replaces auth.json by rename at the link's target,
// so every run and the user's own codex keep one token chain.
function shareCodexLogin(agentHome: string, baseEnv: NodeJS.ProcessEnv): void {
  linkAgentFile(agentHome, userCodexHome(baseEnv), 'auth.json');
}

/**
 * codex's `[mcp_servers.NAME]` table for one server of the common JSON. `exec` never asks
 * (approval `never`), so 0.169 fails every MCP call ("requires approval") unless the
 * server's tools are approved: the servers the user named are.
 */
function codexMcpServer(server: McpServer): Record<string, unknown> {
  const approved = { default_tools_approval_mode: 'approve' };
  if (server.url !== undefined) return { url: server.url, ...approved };
  return { command: server.command, args: server.args ?? [], ...(server.env ? { env: server.env } : {}), ...approved };
}

// The servers go into the run's own config.toml (never argv: their env may hold keys).
async function writeCodexRunConfig(agentHome: string, options: AgentOptions): Promise<void> {
  if (options.mcpServers) {
    const servers = Object.fromEntries(Object.entries(options.mcpServers).map(([name, server]) => [name, codexMcpServer(server)]));
    await updateCodexConfigFile(join(agentHome, 'config.toml'), { mcp_servers: servers });
  }
  if (options.outputSchema) await writeFileAtomically(join(agentHome, CODEX_OUTPUT_SCHEMA_FILE), `${JSON.stringify(options.outputSchema, null, 2)}\n`, 0o600);
}

/** The variables codex reads its login and endpoint from, the config's provider key among them. */
function codexLoginEnvVars(baseEnv: NodeJS.ProcessEnv): string[] {
  const { envKey } = readCodexProvider(join(userCodexHome(baseEnv), 'config.toml'));
  return ['CODEX_HOME', 'CODEX_API_KEY', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'SSL_CERT_FILE', ...(envKey ? [envKey] : [])];
}

export const codexExecutor = {
  name: 'codex',
  npmPackage: '@openai/codex',
  binName: 'codex',
  binEnvVar: 'CODEX_BIN',
  lastMessageFile: CODEX_LAST_MESSAGE_FILE,
  loginHint: 'run `codex login` (or set OPENAI_API_KEY)',
  userHome: userCodexHome,
  seedHome: seedCodexState,
  prepareHome: (agentHome: string, baseEnv: NodeJS.ProcessEnv): Promise<void> =>
    runNow(() => {
      seedAgentHome(agentHome, userCodexHome(baseEnv), ['config.toml']);
      shareCodexLogin(agentHome, baseEnv);
    }),
  shareLogin: (agentHome: string, baseEnv: NodeJS.ProcessEnv) => runNow(() => shareCodexLogin(agentHome, baseEnv)),
  loginEnvVars: codexLoginEnvVars,
  writeRunConfig: writeCodexRunConfig,
  describeLogin: (baseEnv: NodeJS.ProcessEnv) => describeCodexLogin(userCodexHome(baseEnv), baseEnv),
  watchLoginRefresh: (baseEnv: NodeJS.ProcessEnv, now: Date) => watchCodexRefresh(userCodexHome(baseEnv), now),
  checkAuth: checkCodexAuth,
  resolveCommand: resolveCodexCommand,
  buildInvocation: buildCodexInvocation,
  createParser: createCodexParser,
  readSessionFacts: readCodexRollout,
  parseVersion: parseSemver,
} satisfies Executor;
