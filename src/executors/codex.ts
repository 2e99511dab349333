import { homedir } from 'node:os';
import { readCodexRollout } from './codex-rollout.js';
import { join } from 'node:path';
import { copyEnv, parseSemver, seedAgentHome } from './agent-home.js';
import { createCodexParser } from './codex-events.js';
import { existsSync, readFileSync } from 'node:fs';
import type { AuthStatus, Executor, Invocation, InvocationRequest, SandboxMode } from './types.js';

const CODEX_LAST_MESSAGE_FILE = 'last-message.txt';

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
  // codex 0.169 retries a refused connection forever ("waiting for network") while still
  // printing, so no idle timeout would ever end it: keep its retries bounded.
  args.push('--disable', 'unbounded_connection_retries');
  if (req.resumeSessionId) args.push('resume', req.resumeSessionId);
  args.push('-');
  const env = copyEnv(req.baseEnv);
  env.CODEX_HOME = req.agentHome;
  return { file: req.bin, args, env, cwd: req.worktree };
}

/** The user's own codex home: $CODEX_HOME or ~/.codex. */
export function userCodexHome(env: NodeJS.ProcessEnv): string {
  return env.CODEX_HOME ?? join(env.HOME ?? homedir(), '.codex');
}

/** The provider key variable a config.toml names (`env_key = "VAR"`), if any. */
function configuredProvider(configPath: string): { custom: boolean; envKey: string | undefined } {
  if (!existsSync(configPath)) return { custom: false, envKey: undefined };
  const text = readFileSync(configPath, 'utf8');
  const provider = /^\s*model_provider\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  const envKey = /^\s*env_key\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  return { custom: provider !== undefined && provider !== 'openai', envKey };
}

// codex 0.169 has no "not logged in" error: with no key it loops "waiting for network"
// forever, so the dispatcher must refuse to start it without a login.
function checkCodexAuth(agentHome: string, env: NodeJS.ProcessEnv): AuthStatus {
  const provider = configuredProvider(join(agentHome, 'config.toml'));
  if (provider.custom) {
    if (!provider.envKey) return { ok: true, detail: 'custom model provider in config.toml (no key needed)' };
    return env[provider.envKey]
      ? { ok: true, detail: `custom model provider, key from ${provider.envKey}` }
      : { ok: false, detail: `config.toml's model provider needs ${provider.envKey}; set it in the environment` };
  }
  if (existsSync(join(agentHome, 'auth.json'))) return { ok: true, detail: 'auth.json (codex login)' };
  for (const name of ['CODEX_API_KEY', 'OPENAI_API_KEY']) {
    if (env[name]) return { ok: true, detail: `API key from ${name}` };
  }
  return { ok: false, detail: 'codex is not logged in: run `codex login` or set OPENAI_API_KEY' };
}

export const codexExecutor = {
  name: 'codex',
  npmPackage: '@openai/codex',
  binName: 'codex',
  binEnvVar: 'CODEX_BIN',
  lastMessageFile: CODEX_LAST_MESSAGE_FILE,
  userHome: userCodexHome,
  async prepareHome(agentHome: string, baseEnv: NodeJS.ProcessEnv): Promise<void> {
    await seedAgentHome(agentHome, userCodexHome(baseEnv), ['auth.json', 'config.toml']);
  },
  checkAuth: checkCodexAuth,
  buildInvocation: buildCodexInvocation,
  createParser: createCodexParser,
  readSessionFacts: readCodexRollout,
  parseVersion: parseSemver,
} satisfies Executor;
