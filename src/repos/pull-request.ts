import { InfraError } from '../errors.js';
import { searchPath } from '../executors/find-binary.js';
import { runContained } from '../process/run-contained.js';
import { redactCredentials } from './redact.js';

const GH_HINT = 'install the GitHub CLI (https://cli.github.com) and run `gh auth login`, or drop --pr';

/** The `gh` binary on PATH; a missing one is a clear error before any agent starts. */
export function requireGh(env: NodeJS.ProcessEnv): string {
  const found = searchPath('gh', env.PATH);
  if (!found) throw new InfraError('--pr opens the pull request with the GitHub CLI, and `gh` is not on PATH', GH_HINT);
  return found;
}

/** `HOST/OWNER/REPO` for gh's --repo, from an https, ssh or scp-like remote URL; null for anything else. */
export function ghRepoOf(remoteUrl: string): string | null {
  const url = redactCredentials(remoteUrl).trim();
  const scp = /^[^@/]+@([^:/]+):([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  const scheme = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  const match = scp ?? scheme;
  return match ? `${match[1]}/${match[2]}/${match[3]}` : null;
}

/** What `gh pr create` needs; the body is a file (pr-body.md in the group directory). */
export interface PullRequestSpec {
  gh: string;
  /** gh finds the repository from the git remotes here when `repo` is null. */
  cwd: string;
  repo: string | null;
  head: string;
  base: string;
  title: string;
  bodyFile: string;
  env: NodeJS.ProcessEnv;
}

/** Opens the pull request; returns its URL (gh prints it on success). In its own process group, never through a shell. */
export async function openPullRequest(spec: PullRequestSpec): Promise<string> {
  const args = [
    'pr', 'create',
    ...(spec.repo ? ['--repo', spec.repo] : []),
    '--head', spec.head, '--base', spec.base, '--title', spec.title, '--body-file', spec.bodyFile,
  ];
  const env = Object.fromEntries(Object.entries({ ...spec.env, GH_PROMPT_DISABLED: '1', NO_COLOR: '1' }).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const { result, stdout, stderr } = await runContained({ file: spec.gh, args, env, cwd: spec.cwd }, 120_000, 2_000);
  if (result.exitCode !== 0) {
    const why = result.spawnError ?? stderr.map((line) => line.trim()).filter(Boolean).at(-1) ?? (result.stoppedBy ? 'timed out' : `exit ${result.exitCode ?? result.signal}`);
    throw new InfraError(`gh pr create failed: ${redactCredentials(why).slice(0, 300)}`, 'the winner stays on its branch; open the pull request by hand');
  }
  const lines = stdout.map((line) => line.trim()).filter(Boolean);
  return lines.filter((line) => /^https?:\/\//.test(line)).at(-1) ?? lines.at(-1) ?? '';
}
