import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorName } from '../executors/types.js';
import { claudeEnv, codexConfigToml, startModelServer } from '../model-server/index.js';
import { dispatchTask, type DispatchResult } from '../modes/dispatch-task.js';
import type { RunTemplate } from '../modes/group-plan.js';
import type { GroupHooks } from '../modes/run-group.js';
import type { RunHooks } from '../modes/run-plan.js';
import { parseRepoArg } from '../repos/repo-arg.js';
import type { DispatchHome } from '../runs/home.js';
import { DEFAULT_OUTPUT_CAP_BYTES } from '../runs/output-log.js';
import { ensureDemoRepo } from './demo-repo.js';

export const DEMO_TASK = 'Create hello.txt with a short greeting, and mention the new file in README.md.';

export interface DemoOptions {
  home: DispatchHome;
  env: NodeJS.ProcessEnv;
  executors: ExecutorName[];
  hooks?: { run?: RunHooks; group?: GroupHooks };
  /** Told once the server and the sample repo are ready. */
  onReady?: (info: { serverUrl: string; repoDir: string }) => void;
}

/**
 * The whole main job offline: the scripted model server on 127.0.0.1, the real pinned CLIs
 * pointed at it through their own config, a sample repository, and one real run per agent.
 */
export async function runDemo(opts: DemoOptions): Promise<DispatchResult> {
  const demoDir = join(opts.home.root, 'demo');
  const repoDir = await ensureDemoRepo(join(demoDir, 'sample-repo'));
  const server = await startModelServer();
  try {
    const env = await prepareDemoEnv(demoDir, server.url, opts.env);
    opts.onReady?.({ serverUrl: server.url, repoDir });
    const template = demoTemplate(parseRepoArg(repoDir, { cwd: demoDir }), env, opts.home);
    return await dispatchTask(
      { template, executors: opts.executors, attempts: 1, concurrency: 2, race: false, apply: false },
      opts.hooks,
    );
  } finally {
    await server.close();
  }
}

/** Agent homes that point both CLIs at the scripted server; the user's own logins are not touched. */
async function prepareDemoEnv(demoDir: string, serverUrl: string, baseEnv: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const codexHome = join(demoDir, 'codex-home');
  const claudeDir = join(demoDir, 'claude-config');
  await rm(codexHome, { recursive: true, force: true });
  await mkdir(codexHome, { recursive: true, mode: 0o700 });
  await mkdir(claudeDir, { recursive: true, mode: 0o700 });
  await writeFile(join(codexHome, 'config.toml'), codexConfigToml(serverUrl, { retries: 1 }), { mode: 0o600 });
  return { ...baseEnv, CODEX_HOME: codexHome, CLAUDE_CONFIG_DIR: claudeDir, ...claudeEnv(serverUrl, { retries: 1 }) };
}

function demoTemplate(repo: RunTemplate['repo'], env: NodeJS.ProcessEnv, home: DispatchHome): RunTemplate {
  return {
    repo,
    task: DEMO_TASK,
    sandbox: 'workspace-write',
    timeoutMs: 5 * 60_000,
    idleTimeoutMs: 60_000,
    graceMs: 2_000,
    outputCapBytes: DEFAULT_OUTPUT_CAP_BYTES,
    labels: { demo: 'true' },
    keepWorkspace: true,
    requireChanges: false,
    home,
    env,
  };
}
