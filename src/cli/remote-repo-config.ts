import type { ConfigResult } from '../config/load-config.js';
import { readRemoteRepoConfig, remoteConfigFilesDir } from '../config/remote-repo-config.js';
import { CancelledError, InfraError } from '../errors.js';
import { rememberFetchedMirror, rememberFetchFailure, rememberMirrorWarnings } from '../repos/mirror-handoff.js';
import { ensureMirror, mirrorPathOf, resolveBaseCommit } from '../repos/mirror.js';
import { DEFAULT_FETCH_TIMEOUT_MS } from '../repos/network-limits.js';
import { parseRepoArg, type RepoSpec } from '../repos/repo-arg.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';
import { localRepoRoot } from './run-config.js';
import { parseDurationFlag } from './run-options.js';

export interface RemoteConfigOptions {
  home: string | undefined;
  branch: string | undefined;
  fetchTimeout: string | undefined;
  signal?: AbortSignal | undefined;
  /** Set by `dispatch run`: what the fetch found is handed to the run's own fetch. */
  forRun?: boolean;
}

function remoteSpecOf(io: CliIo, repoArg: string | undefined): RepoSpec | undefined {
  if (repoArg === undefined || localRepoRoot(repoArg, io) !== undefined) return undefined;
  try {
    const spec = parseRepoArg(repoArg, { remoteBase: io.env.DISPATCH_REMOTE_BASE, cwd: io.cwd });
    return spec.kind === 'local' ? undefined : spec;
  } catch {
    return undefined; // The run reports a bad repo argument itself.
  }
}

/**
 * A remote repository's `.dispatch.json`, from its mirror at the commit the run will start
 * from (the branch's tip after the fetch). Undefined for a local repository. Throws what
 * the fetch throws (unreachable, timeout, cancelled, no such branch).
 */
export async function fetchRemoteRepoConfig(io: CliIo, repoArg: string | undefined, opts: RemoteConfigOptions): Promise<ConfigResult | undefined> {
  const spec = remoteSpecOf(io, repoArg);
  if (spec === undefined) return undefined;
  const { reposDir } = resolveHome(opts.home, io.env);
  const timeoutMs = opts.fetchTimeout === undefined ? DEFAULT_FETCH_TIMEOUT_MS : parseDurationFlag('--fetch-timeout', opts.fetchTimeout);
  const { mirrorPath, warnings, refs } = await ensureMirror(spec, reposDir, {}, { timeoutMs, signal: opts.signal });
  // Repairs of the mirror happen here, not in the run's own fetch: a run gets them into its
  // summary's warnings (handed to its fetch); `dispatch config` prints them.
  if (opts.forRun) rememberMirrorWarnings(mirrorPath, warnings);
  else for (const warning of warnings) io.stderr.write(`dispatch: warning: ${warning}\n`);
  // The run's own fetch takes this one: it starts from the commit this config is read from.
  if (opts.forRun) rememberFetchedMirror(mirrorPath, refs);
  const base = await resolveBaseCommit(mirrorPath, opts.branch, refs);
  return readRemoteRepoConfig(mirrorPath, base.sha, spec.displayUrl, remoteConfigFilesDir(reposDir, spec.slug, base.sha));
}

/**
 * For `dispatch run`: like fetchRemoteRepoConfig, but a fetch that fails leaves the config
 * out, and the run records that same failure in its run directory at once (no second wait
 * for the remote); a cancel leaves it out silently (the run is then recorded as cancelled).
 */
export async function fetchRemoteRepoConfigForRun(io: CliIo, repoArg: string, opts: RemoteConfigOptions): Promise<ConfigResult | undefined> {
  try {
    return await fetchRemoteRepoConfig(io, repoArg, { ...opts, forRun: true });
  } catch (error) {
    if (error instanceof InfraError && !(error instanceof CancelledError) && opts.signal?.aborted !== true) {
      // The remote failed: the run records this very failure at once instead of asking again.
      const spec = remoteSpecOf(io, repoArg);
      if (spec) rememberFetchFailure(mirrorPathOf(spec, resolveHome(opts.home, io.env).reposDir), error);
    }
    return undefined;
  }
}
