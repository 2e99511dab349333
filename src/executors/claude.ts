import { homedir } from 'node:os';
import { join } from 'node:path';
import { copyEnv, parseSemver, removeAgentFile, runNow, seedAgentHome } from './agent-home.js';
import { createClaudeParser } from './claude-events.js';
import { claudeEnvCredential, describeClaudeLogin, sharedStoreValue } from './claude-login.js';
import { writeFileAtomically } from '../runs/atomic-write.js';
import type { AgentOptions } from './agent-options.js';
import type { AuthStatus, Executor, Invocation, InvocationRequest, SandboxMode } from './types.js';

function permissionArgs(sandbox: SandboxMode): string[] {
  switch (sandbox) {
    case 'read-only':
      return ['--permission-mode', 'plan'];
    case 'workspace-write':
      // `--allowedTools` is variadic: the `=` form keeps it from swallowing what follows.
      return ['--permission-mode', 'acceptEdits', '--allowedTools=Bash'];
    case 'full':
      return ['--permission-mode', 'bypassPermissions'];
  }
}

/** --mcp-config's servers, written into the run's config dir (their env may hold keys: not argv). */
const CLAUDE_MCP_FILE = 'mcp-servers.json';

// MCP tools are asked for permission, which -p cannot give: the servers the user named are allowed.
function mcpArgs(req: InvocationRequest): string[] {
  const names = Object.keys(req.agent?.mcpServers ?? {});
  if (names.length === 0) return [];
  // Both options are variadic: the `=` form keeps them from swallowing what follows.
  const allowed = req.sandbox === 'full' ? [] : [`--allowedTools=${names.map((name) => `mcp__${name}`).join(',')}`];
  return [`--mcp-config=${join(req.agentHome, CLAUDE_MCP_FILE)}`, ...allowed];
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function buildClaudeInvocation(req: InvocationRequest): Invocation {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', ...permissionArgs(req.sandbox)];
  if (req.model) args.push('--model', req.model);
  if (req.instructions) args.push('--append-system-prompt', req.instructions);
  if (req.agent?.reasoning) args.push('--effort', req.agent.reasoning);
  args.push(...mcpArgs(req));
  if (req.agent?.outputSchema) args.push('--json-schema', JSON.stringify(req.agent.outputSchema));
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
  args.push(...(req.agent?.extraArgs ?? []));
  const env = copyEnv(req.baseEnv);
  env.CLAUDE_CONFIG_DIR = req.agentHome;
  // No credential in the environment: the run uses the user's own /login store and lock
  // (claude 2.1.197 re-reads it under `.oauth_refresh.lock` before refreshing), never a copy.
  if (!claudeEnvCredential(req.baseEnv)) env.CLAUDE_SECURESTORAGE_CONFIG_DIR = sharedStoreValue(req.baseEnv);
  // claude 2.1.x refuses bypassPermissions as root unless told it runs in a sandbox; the
  // user asked for --sandbox full, and the run has its own worktree.
  if (req.sandbox === 'full' && isRoot()) env.IS_SANDBOX = '1';
  return { file: req.bin, args, env, cwd: req.worktree };
}

/** The user's own claude config dir: $CLAUDE_CONFIG_DIR or ~/.claude. */
export function userClaudeHome(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR ?? join(env.HOME ?? homedir(), '.claude');
}

function checkClaudeAuth(agentHome: string, env: NodeJS.ProcessEnv): AuthStatus {
  const login = describeClaudeLogin(env, agentHome);
  return login.kind === 'none'
    ? { ok: false, detail: `claude is not logged in: ${login.note}` }
    : { ok: true, detail: login.source };
}

function shareClaudeLogin(agentHome: string): void {
  // An older dispatch copied the login here; the copy could refresh the user's login away.
  removeAgentFile(agentHome, '.credentials.json');
}

async function writeClaudeRunConfig(agentHome: string, options: AgentOptions): Promise<void> {
  if (!options.mcpServers) return;
  await writeFileAtomically(join(agentHome, CLAUDE_MCP_FILE), `${JSON.stringify({ mcpServers: options.mcpServers }, null, 2)}\n`, 0o600);
}

/** The variables claude reads its login and endpoint from. */
const CLAUDE_LOGIN_VARS = [
  'CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL',
  'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'AWS_PROFILE', 'AWS_REGION', 'CLOUD_ML_REGION', 'ANTHROPIC_VERTEX_PROJECT_ID',
];

export const claudeExecutor = {
  name: 'claude',
  npmPackage: '@anthropic-ai/claude-code',
  binName: 'claude',
  binEnvVar: 'CLAUDE_BIN',
  loginHint: 'run `claude` and /login, or `claude setup-token` and set CLAUDE_CODE_OAUTH_TOKEN',
  userHome: userClaudeHome,
  prepareHome: (agentHome: string, baseEnv: NodeJS.ProcessEnv): Promise<void> =>
    runNow(() => {
      seedAgentHome(agentHome, userClaudeHome(baseEnv), ['settings.json']);
      shareClaudeLogin(agentHome);
    }),
  shareLogin: (agentHome: string) => runNow(() => shareClaudeLogin(agentHome)),
  loginEnvVars: () => [...CLAUDE_LOGIN_VARS],
  writeRunConfig: writeClaudeRunConfig,
  describeLogin: (baseEnv: NodeJS.ProcessEnv) => describeClaudeLogin(baseEnv, userClaudeHome(baseEnv)),
  checkAuth: checkClaudeAuth,
  buildInvocation: buildClaudeInvocation,
  createParser: createClaudeParser,
  parseVersion: parseSemver,
} satisfies Executor;
