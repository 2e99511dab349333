import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claudeEnv, codexConfigToml } from '../../src/model-server/index.js';
import { projectRoot } from './run-cli.js';

/** The pinned agent CLIs (npm ci brings them) missing from node_modules/.bin. */
export const missingPinnedClis = ['codex', 'claude'].filter((bin) => !existsSync(join(projectRoot, 'node_modules', '.bin', bin)));

export interface AgentConfig {
  retries?: number;
  /** codex's own stream idle limit and claude's API_TIMEOUT_MS. */
  agentTimeoutMs?: number;
}

/**
 * The environment of a dispatch that drives the real pinned CLIs against the scripted
 * server at `url`: its own HOME, a user CODEX_HOME whose config.toml names the server (each
 * run's home is seeded from it, as from a real user's), claude pointed at the server.
 */
export async function realAgentEnv(home: string, url: string, config: AgentConfig = {}): Promise<Record<string, string>> {
  const userHome = join(home, 'user-home');
  const codexHome = join(home, `codex-home-${Buffer.from(url).toString('hex').slice(-8)}-${config.retries ?? 0}`);
  await mkdir(userHome, { recursive: true });
  await mkdir(codexHome, { recursive: true });
  await writeFile(
    join(codexHome, 'config.toml'),
    codexConfigToml(url, { retries: config.retries ?? 0, streamIdleTimeoutMs: config.agentTimeoutMs ?? 30_000 }),
  );
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: userHome,
    DISPATCH_HOME: home,
    CODEX_HOME: codexHome,
    CLAUDE_CONFIG_DIR: join(home, 'claude-config'),
    GIT_CONFIG_NOSYSTEM: '1',
    ...claudeEnv(url, { retries: config.retries ?? 0, apiTimeoutMs: config.agentTimeoutMs ?? 30_000 }),
  };
}
