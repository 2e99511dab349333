import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { mirrorGitArgs } from '../repos/mirror.js';
import { runGit, runGitBuffer } from '../repos/git.js';
import { writeFileAtomically } from '../runs/atomic-write.js';
import { PATH_SETTINGS } from './config-keys.js';
import { REPO_CONFIG_FILE, validateConfigText, type ConfigResult } from './load-config.js';

/** Where a remote repository's config is, as `dispatch config` and the problems name it. */
export function describeRemoteConfig(displayUrl: string, sha: string): string {
  return `${displayUrl}@${sha.slice(0, 12)}:${REPO_CONFIG_FILE}`;
}

async function readBlob(mirrorPath: string, sha: string, path: string): Promise<Buffer | undefined> {
  const spec = `${sha}:${path}`;
  const exists = await runGit([...mirrorGitArgs(mirrorPath), 'cat-file', '-e', '--end-of-options', spec], { cwd: mirrorPath, allowFailure: true });
  if (exists.exitCode !== 0) return undefined;
  const type = await runGit([...mirrorGitArgs(mirrorPath), 'cat-file', '-t', '--end-of-options', spec], { cwd: mirrorPath, allowFailure: true });
  if (type.stdout.trim() !== 'blob') return undefined;
  const blob = await runGitBuffer([...mirrorGitArgs(mirrorPath), 'cat-file', 'blob', '--end-of-options', spec], { cwd: mirrorPath });
  return blob.stdout;
}

/**
 * Reads `.dispatch.json` from a mirror at commit `sha`, with the same rules as a local
 * repository's. The files it names (instructions, mcpConfig, outputSchema: inside the repo)
 * are copied out of that commit into `filesDir`, which stands for the repo's root, so the
 * run reads them as it reads a local repository's.
 */
export async function readRemoteRepoConfig(mirrorPath: string, sha: string, displayUrl: string, filesDir: string): Promise<ConfigResult> {
  const text = await readBlob(mirrorPath, sha, REPO_CONFIG_FILE);
  if (text === undefined) return { problems: [] };
  const shownAs = describeRemoteConfig(displayUrl, sha);
  const result = await validateConfigText(text.toString('utf8'), join(filesDir, REPO_CONFIG_FILE), 'repo', shownAs);
  if (!result.config) return result;
  const problems: string[] = [];
  for (const key of PATH_SETTINGS) {
    const value = result.config.values[key];
    if (typeof value !== 'string' || (key === 'instructions' && !value.startsWith('@'))) continue;
    const absolute = key === 'instructions' ? value.slice(1) : value;
    const inRepo = relative(filesDir, absolute);
    // validateConfigText already refused paths outside the repo; this guards the write.
    if (inRepo === '' || inRepo.startsWith('..') || isAbsolute(inRepo)) continue;
    const content = await readBlob(mirrorPath, sha, inRepo.split('\\').join('/'));
    if (content === undefined) {
      problems.push(`${shownAs}: ${key}: ${inRepo} is not a file in that commit`);
      continue;
    }
    await mkdir(dirname(absolute), { recursive: true });
    await writeFileAtomically(absolute, content);
  }
  return problems.length > 0 ? { problems } : result;
}

/** The folder that stands for a remote repository's root at one commit: repos/<slug>.config/<sha>. */
export function remoteConfigFilesDir(reposDir: string, slug: string, sha: string): string {
  return join(reposDir, `${slug}.config`, sha);
}
