import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { PATH_SETTINGS } from './config-keys.js';
import type { ConfigFile } from './config-schema.js';

/** The config file names: in the dispatch home, and at a repository's root. */
export const HOME_CONFIG_FILE = 'dispatch.config.json';
export const REPO_CONFIG_FILE = '.dispatch.json';

/** One config file that was found and read. */
export interface LoadedConfig {
  kind: 'home' | 'repo';
  path: string;
  values: ConfigFile;
}

/** A file's problems, each as `<file>: <key>: <what>`. */
type Problems = string[];

/** What reading one config file came to: the config (when valid) or its problems. */
export interface ConfigResult {
  config?: LoadedConfig;
  problems: Problems;
}

/** Validates one config file's text. Pure: paths are only resolved, never read. The schema is loaded on the first call. */
export async function validateConfigText(text: string, path: string, kind: LoadedConfig['kind'], shownAs = path): Promise<ConfigResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (error) {
    return { problems: [`${shownAs}: not valid JSON (${(error as Error).message})`] };
  }
  const { configFileSchema } = await import('./config-schema.js');
  const parsed = configFileSchema.safeParse(raw);
  const problems: Problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${shownAs}: ${issueKey(issue)}: ${issue.message}`);
  // The paths are checked even when other keys are wrong: every problem at once.
  const values = resolvePaths((parsed.success ? parsed.data : raw) as ConfigFile, path, kind, problems, shownAs);
  return parsed.success && problems.length === 0 ? { config: { kind, path: shownAs, values }, problems } : { problems };
}

function issueKey(issue: { path: PropertyKey[]; code: string; keys?: string[] }): string {
  const base = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys) return [base, issue.keys.join(', ')].filter(Boolean).join('.');
  return base || '(top level)';
}

/**
 * File settings become absolute paths. A repo's config may only name files inside the repo:
 * it is the repo's own content, and must not reach the user's other files.
 */
function resolvePaths(values: ConfigFile, path: string, kind: LoadedConfig['kind'], problems: Problems, shownAs: string): ConfigFile {
  const dir = dirname(path);
  if (typeof values !== 'object' || values === null) return values;
  const out: ConfigFile = { ...values };
  for (const key of PATH_SETTINGS) {
    const value = values[key];
    if (typeof value !== 'string') continue;
    const isInstructions = key === 'instructions';
    if (isInstructions && !value.startsWith('@')) continue;
    const file = isInstructions ? value.slice(1) : value;
    const absolute = resolve(dir, file);
    const inside = relative(dir, absolute);
    if (kind === 'repo' && (isAbsolute(file) || inside.startsWith('..'))) {
      problems.push(`${shownAs}: ${key}: a repo's config can only name files inside the repo, not ${file}`);
      continue;
    }
    (out as Record<string, unknown>)[key] = isInstructions ? `@${absolute}` : absolute;
  }
  return out;
}

async function readConfigFile(path: string, kind: LoadedConfig['kind']): Promise<ConfigResult> {
  if (!existsSync(path)) return { problems: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problems: [`${path}: cannot read it (${(error as Error).message})`] };
  }
  return validateConfigText(text, path, kind);
}

/**
 * Reads the home config and the repo's config: a local repository's from its working tree,
 * a remote's as read from its mirror beforehand (see readRemoteRepoConfig). Every problem
 * of both files is reported at once, in one usage error (exit 2).
 */
export async function loadConfigFiles(homeRoot: string, repo: string | ConfigResult | undefined): Promise<LoadedConfig[]> {
  const results = [await readConfigFile(join(homeRoot, HOME_CONFIG_FILE), 'home')];
  if (typeof repo === 'string') results.push(await readConfigFile(join(repo, REPO_CONFIG_FILE), 'repo'));
  else if (repo !== undefined) results.push(repo);
  const problems = results.flatMap((result) => result.problems);
  if (problems.length > 0) {
    throw new UsageError(`invalid config: ${problems.join('; ')}`, 'fix the file (see `dispatch config --help`), or move it away');
  }
  return results.flatMap((result) => (result.config ? [result.config] : []));
}
