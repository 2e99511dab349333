import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ExecutorName } from '../executors/types.js';
import { claudeEnv, codexConfigToml, startModelServer, type ModelServer } from '../model-server/index.js';
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
  /** Port of the scripted server (0, the default, picks a free one). */
  port?: number;
  /** Told once the server and the sample repo are ready. */
  onReady?: (info: { serverUrl: string; repoDir: string }) => void;
}

/** The demo's scripted server and the environment that points the real CLIs at it; close() removes that config. */
export interface DemoEnvironment {
  server: ModelServer;
  repoDir: string;
  demoDir: string;
  /** The variables that point codex and claude at the server (CODEX_HOME, CLAUDE_CONFIG_DIR, ANTHROPIC_*). */
  agentEnv: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The whole main job offline: the scripted model server on 127.0.0.1, the real pinned CLIs
 * pointed at it through their own config, a sample repository, and one real run per agent.
 */
export async function runDemo(opts: DemoOptions): Promise<DispatchResult> {
  const demo = await startDemoEnvironment(opts);
  try {
    return await dispatchDemoTask(demo, opts);
  } finally {
    await demo.close();
  }
}

/** Starts the server and writes the agents' config under demo/; close() stops it and removes the config, which would name a dead port. */
export async function startDemoEnvironment(opts: Pick<DemoOptions, 'home' | 'port'>): Promise<DemoEnvironment> {
  const demoDir = join(opts.home.root, 'demo');
  const repoDir = await ensureDemoRepo(join(demoDir, 'sample-repo'));
  const server = await startModelServer({ port: opts.port ?? 0 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new UsageError(`port ${opts.port} on 127.0.0.1 is in use`, 'pick another --port, or leave it out for any free one');
    throw error;
  });
  const codexHome = join(demoDir, 'codex-home');
  const claudeDir = join(demoDir, 'claude-config');
  const removeConfig = () => Promise.all([codexHome, claudeDir].map((dir) => rm(dir, { recursive: true, force: true })));
  try {
    await removeConfig();
    await mkdir(codexHome, { recursive: true, mode: 0o700 });
    await mkdir(claudeDir, { recursive: true, mode: 0o700 });
    await writeFile(join(codexHome, 'config.toml'), codexConfigToml(server.url, { retries: 1 }), { mode: 0o600 });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    repoDir,
    demoDir,
    agentEnv: { CODEX_HOME: codexHome, CLAUDE_CONFIG_DIR: claudeDir, ...claudeEnv(server.url, { retries: 1 }) },
    async close() {
      await server.close();
      await removeConfig();
    },
  };
}

/** The demo task, dispatched to the real CLIs (one run each, at once) in the demo environment. */
export async function dispatchDemoTask(demo: DemoEnvironment, opts: DemoOptions): Promise<DispatchResult> {
  opts.onReady?.({ serverUrl: demo.server.url, repoDir: demo.repoDir });
  const template = demoTemplate(parseRepoArg(demo.repoDir, { cwd: demo.demoDir }), { ...opts.env, ...demo.agentEnv }, opts.home);
  return dispatchTask({ template, executors: opts.executors, attempts: 1, concurrency: 2, race: false, apply: false }, opts.hooks);
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
