import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_GIT_ENV } from '../helpers/git-fixtures.js';

const GIT_ENV: Record<string, string> = FIXTURE_GIT_ENV;

/** A temp dir holding a git repo, a HOME and an agent home (CODEX_HOME / CLAUDE_CONFIG_DIR). */
export interface Sandbox {
  root: string;
  repo: string;
  home: string;
  agentHome: string;
  cleanup(): Promise<void>;
}

/** Creates a sandbox whose repo has README.md committed on `main`. */
export async function createSandbox(): Promise<Sandbox> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'outpost-ms-')));
  const sandbox = { root, repo: join(root, 'repo'), home: join(root, 'home'), agentHome: join(root, 'agent-home') };
  for (const dir of [sandbox.repo, sandbox.home, sandbox.agentHome]) await mkdir(dir);
  const git = (args: string[]) => execa('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', ...args], {
    cwd: sandbox.repo,
    env: GIT_ENV,
  });
  await git(['init', '--quiet', '--initial-branch=main']);
  await writeFile(join(sandbox.repo, 'README.md'), '# sample\n');
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', 'initial commit']);
  return { ...sandbox, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Reads a file in the sandbox's repo, or null when it does not exist. */
export async function readRepoFile(sandbox: Sandbox, name: string): Promise<string | null> {
  try {
    return await readFile(join(sandbox.repo, name), 'utf8');
  } catch {
    return null;
  }
}
