import { homedir } from 'node:os';
import { join } from 'node:path';
import { copyEnv, parseSemver, seedAgentHome } from './agent-home.js';
import { createClaudeParser } from './claude-events.js';
import { existsSync, readFileSync } from 'node:fs';
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

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function buildClaudeInvocation(req: InvocationRequest): Invocation {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', ...permissionArgs(req.sandbox)];
  if (req.model) args.push('--model', req.model);
  if (req.instructions) args.push('--append-system-prompt', req.instructions);
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
  const env = copyEnv(req.baseEnv);
  env.CLAUDE_CONFIG_DIR = req.agentHome;
  // claude 2.1.x refuses bypassPermissions as root unless told it runs in a sandbox; the
  // user asked for --sandbox full, and the run has its own worktree.
  if (req.sandbox === 'full' && isRoot()) env.IS_SANDBOX = '1';
  return { file: req.bin, args, env, cwd: req.worktree };
}

/** The user's own claude config dir: $CLAUDE_CONFIG_DIR or ~/.claude. */
export function userClaudeHome(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR ?? join(env.HOME ?? homedir(), '.claude');
}

const CLAUDE_AUTH_ENV = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
];

function hasApiKeyHelper(settingsPath: string): boolean {
  try {
    return existsSync(settingsPath) && /"apiKeyHelper"\s*:/.test(readFileSync(settingsPath, 'utf8'));
  } catch {
    return false;
  }
}

function checkClaudeAuth(agentHome: string, env: NodeJS.ProcessEnv): AuthStatus {
  for (const name of CLAUDE_AUTH_ENV) {
    if (env[name]) return { ok: true, detail: `credentials from ${name}` };
  }
  if (existsSync(join(agentHome, '.credentials.json'))) return { ok: true, detail: '.credentials.json (claude login)' };
  if (hasApiKeyHelper(join(agentHome, 'settings.json'))) return { ok: true, detail: 'apiKeyHelper in settings.json' };
  return { ok: false, detail: 'claude is not logged in: run `claude` and /login, or set ANTHROPIC_API_KEY' };
}

export const claudeExecutor = {
  name: 'claude',
  npmPackage: '@anthropic-ai/claude-code',
  binName: 'claude',
  binEnvVar: 'CLAUDE_BIN',
  userHome: userClaudeHome,
  async prepareHome(agentHome: string, baseEnv: NodeJS.ProcessEnv): Promise<void> {
    await seedAgentHome(agentHome, userClaudeHome(baseEnv), ['.credentials.json', 'settings.json']);
  },
  checkAuth: checkClaudeAuth,
  buildInvocation: buildClaudeInvocation,
  createParser: createClaudeParser,
  parseVersion: parseSemver,
} satisfies Executor;
