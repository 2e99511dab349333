import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { RepoArgError } from '../errors.js';
import { redactCredentials } from './redact.js';
import { makeSlug } from './repo-slug.js';
import {
  hasDotDotSegment, isScpLike, isSchemeUrl, parseScpUrl, parseSchemeUrl, type UrlParts,
} from './repo-url.js';

export { redactCredentials } from './redact.js';

/** How the repo argument was written. */
export type RepoKind = 'name' | 'github' | 'url' | 'local';

/** A validated repo argument. */
export interface RepoSpec {
  kind: RepoKind;
  /** What git fetches from; may contain credentials: keep it in memory only. */
  url: string;
  /** url without credentials: safe for files, logs and messages. */
  displayUrl: string;
  /** Safe file name for repos/<slug>.git: [a-z0-9._-], no '/', no '..'. */
  slug: string;
  /** Short human name: the repository's last path segment without `.git`. */
  name: string;
}

/** Inputs besides the argument: DISPATCH_REMOTE_BASE and the directory paths are relative to. */
export interface ParseRepoOptions {
  remoteBase?: string | undefined;
  cwd: string;
}

// A name segment: no leading '-' (git option) or '.' ('..', hidden files).
const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const REMOTE_HELPER = /^[A-Za-z0-9+.-]*::/;
const EXPLICIT_PATH = /^(?:\.{1,2}|~)(?:\/|$)|^\//;
const ARG_HINT = 'pass a bare name (with DISPATCH_REMOTE_BASE), owner/name, a git URL or a path to a git repository';
const BASE_HINT = 'set DISPATCH_REMOTE_BASE or pass owner/name, a URL or a path';
const LOCAL_HINT = 'pass the top directory of a git repository, or a bare repository';

/**
 * Parses a repo argument. Precedence, first match wins:
 * 1. explicit paths (`/abs`, `./x`, `../x`, `~/x`, `.`) are local and must be git repositories;
 * 2. `scheme://...` URLs (https, http, ssh, git, file) and scp-like `user@host:path`;
 * 3. a bare name or `owner/name` naming an existing local git repository (relative to cwd) is local;
 * 4. a bare name is `<DISPATCH_REMOTE_BASE><name>.git` (a '/' is added unless the base ends
 *    in '/' or ':'); `owner/name` is https://github.com/owner/name.git;
 * 5. any other relative path without '..' segments must be a local git repository.
 * Remote helpers (`ext::`, `fd::`), leading '-', control characters are always rejected.
 */
export function parseRepoArg(arg: string, opts: ParseRepoOptions): RepoSpec {
  rejectHostileInput(arg, 'repo argument');
  if (EXPLICIT_PATH.test(arg)) return parseLocalPath(arg, opts.cwd);
  if (isSchemeUrl(arg)) return buildRemoteSpec('url', arg, parseSchemeUrl(arg));
  if (isScpLike(arg)) return buildRemoteSpec('url', arg, parseScpUrl(arg));
  const segments = arg.split('/');
  if (segments.length <= 2 && segments.every((s) => SAFE_SEGMENT.test(s))) {
    if (isGitRepository(resolve(opts.cwd, arg))) return parseLocalPath(arg, opts.cwd);
    return segments.length === 1 ? parseBareName(arg, opts.remoteBase) : parseGithubName(segments);
  }
  if (hasDotDotSegment(arg)) {
    throw new RepoArgError(`'..' is not allowed in a repo name: ${arg}`, 'write local paths as ./path or /absolute/path');
  }
  if (arg.includes('/') || isGitRepository(resolve(opts.cwd, arg))) return parseLocalPath(arg, opts.cwd);
  throw new RepoArgError(`not a valid repo argument: ${arg}`, ARG_HINT);
}

/** True for the top of a work tree (has .git) or a bare repository (HEAD, objects/, refs/). */
export function isGitRepository(dir: string): boolean {
  if (!isDirectory(dir)) return false;
  if (pathExists(join(dir, '.git'))) return true;
  return isFile(join(dir, 'HEAD')) && isDirectory(join(dir, 'objects')) && isDirectory(join(dir, 'refs'));
}

function rejectHostileInput(value: string, what: string): void {
  if (value.trim() === '') throw new RepoArgError(`empty ${what}`, ARG_HINT);
  if (hasControlCharacter(value)) {
    throw new RepoArgError(`control characters in ${what}: ${JSON.stringify(redactCredentials(value))}`, ARG_HINT);
  }
  if (value.startsWith('-')) {
    throw new RepoArgError(`${what} must not start with '-': ${redactCredentials(value)}`, ARG_HINT);
  }
  const helper = REMOTE_HELPER.exec(value);
  if (helper) {
    throw new RepoArgError(`git remote helpers ('${helper[0]}') are not allowed in ${what}`, ARG_HINT);
  }
}

/** True when text holds a C0 control character or DEL (\x00-\x1f, \x7f). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function parseLocalPath(arg: string, cwd: string): RepoSpec {
  const absolute = resolve(cwd, expandHome(arg));
  if (!pathExists(absolute)) throw new RepoArgError(`no such directory: ${arg}`, `check the path (relative paths start from ${cwd})`);
  if (!isGitRepository(absolute)) throw new RepoArgError(`not a git repository: ${arg}`, LOCAL_HINT);
  const real = realpathSync(absolute);
  if (hasControlCharacter(real)) throw new RepoArgError(`control characters in the path of ${arg}`, LOCAL_HINT);
  return {
    kind: 'local',
    url: real,
    displayUrl: real,
    slug: makeSlug(`local${real}`, `local:${real}`),
    name: nameFromPath(basename(real) === '.git' ? dirname(real) : real),
  };
}

function parseBareName(name: string, remoteBase: string | undefined): RepoSpec {
  if (remoteBase === undefined || remoteBase.trim() === '') {
    throw new RepoArgError(`'${name}' is a bare repo name but DISPATCH_REMOTE_BASE is not set`, BASE_HINT);
  }
  rejectHostileInput(remoteBase, 'DISPATCH_REMOTE_BASE');
  const separator = /[/:]$/.test(remoteBase) ? '' : '/';
  const url = `${remoteBase}${separator}${stripGitSuffix(name)}.git`;
  const spec = buildRemoteSpec('name', url, splitBaseUrl(url, remoteBase));
  return { ...spec, name: stripGitSuffix(name) };
}

function parseGithubName(segments: string[]): RepoSpec {
  const owner = segments[0] ?? '';
  const repo = stripGitSuffix(segments[1] ?? '');
  const url = `https://github.com/${owner}/${repo}.git`;
  return buildRemoteSpec('github', url, { host: 'github.com', path: `/${owner}/${repo}` });
}

function splitBaseUrl(url: string, remoteBase: string): UrlParts {
  if (isSchemeUrl(url)) return parseSchemeUrl(url);
  if (isScpLike(url)) return parseScpUrl(url);
  if (isAbsolute(url) && !hasDotDotSegment(url)) return { host: '', path: url };
  throw new RepoArgError(
    `DISPATCH_REMOTE_BASE is not a git URL or absolute path: ${redactCredentials(remoteBase)}`,
    'e.g. https://github.com/acme/ or git@github.com:acme/',
  );
}

function buildRemoteSpec(kind: RepoKind, url: string, parts: UrlParts): RepoSpec {
  const displayUrl = redactCredentials(url);
  return {
    kind,
    url,
    displayUrl,
    slug: makeSlug(`${parts.host}/${parts.path}`, displayUrl),
    name: nameFromPath(parts.path),
  };
}

function nameFromPath(path: string): string {
  const last = path.split(/[/:]/).filter((s) => s !== '').pop() ?? '';
  return stripGitSuffix(last) || 'repo';
}

function stripGitSuffix(name: string): string {
  return name.replace(/\.git$/i, '');
}

function expandHome(arg: string): string {
  return arg === '~' || arg.startsWith('~/') ? join(homedir(), arg.slice(1)) : arg;
}

function pathExists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
