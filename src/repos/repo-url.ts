import { RepoArgError } from '../errors.js';
import { redactCredentials as redactForMessage } from './redact.js';

/** Host and path of a git URL, for naming its mirror. host is '' for file:// URLs. */
export interface UrlParts {
  host: string;
  path: string;
}

/** Transports we fetch from. `ext::`, `fd::` and other remote helpers are never allowed. */
export const ALLOWED_SCHEMES: ReadonlySet<string> = new Set([
  'https', 'http', 'ssh', 'git', 'file', 'git+ssh', 'ssh+git',
]);

const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const HOST_NAME = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\])$/;
const PORT = /^\d{1,5}$/;
const SCP_FORM = /^(?:([^@/]+)@)?([^@/:]+|\[[^\]/]+\]):(.*)$/s;
const URL_HINT = 'use https://, ssh://, git@host:path, file:// or a local path';

/** True for `scheme://...` (any scheme; the allowed ones are checked by parseSchemeUrl). */
export function isSchemeUrl(arg: string): boolean {
  return SCHEME_PREFIX.test(arg);
}

/** True for git's scp-like form `[user@]host:path`: a ':' before any '/'. */
export function isScpLike(arg: string): boolean {
  const colon = arg.indexOf(':');
  const slash = arg.indexOf('/');
  return colon > 0 && (slash === -1 || colon < slash) && SCP_FORM.test(arg);
}

/** True when a path has a `..` segment (also percent-encoded as %2e%2e). */
export function hasDotDotSegment(path: string): boolean {
  const decoded = path.replace(/%2e/gi, '.');
  return decoded.split(/[/\\]/).some((segment) => segment === '..');
}

/** Validates `scheme://[user@]host[:port]/path`; throws RepoArgError when unusable. */
export function parseSchemeUrl(arg: string): UrlParts {
  const scheme = (SCHEME_PREFIX.exec(arg)?.[1] ?? '').toLowerCase();
  if (!ALLOWED_SCHEMES.has(scheme)) {
    throw new RepoArgError(`unsupported URL scheme '${scheme}': ${redactForMessage(arg)}`, URL_HINT);
  }
  const rest = arg.slice(arg.indexOf('://') + 3);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  const host = validateAuthority(arg, authority, scheme === 'file');
  validateRepoPath(arg, path);
  return { host, path };
}

/** Validates git's scp-like `[user@]host:path`; throws RepoArgError when unusable. */
export function parseScpUrl(arg: string): UrlParts {
  const match = SCP_FORM.exec(arg);
  const user = match?.[1];
  const host = match?.[2] ?? '';
  const path = match?.[3] ?? '';
  if (user !== undefined && !isSafeUser(user)) {
    throw new RepoArgError(`invalid user name in ${arg}`, URL_HINT);
  }
  if (!HOST_NAME.test(host)) throw new RepoArgError(`invalid host in ${arg}`, URL_HINT);
  validateRepoPath(arg, path);
  return { host: host.toLowerCase(), path };
}

function validateAuthority(arg: string, authority: string, isFile: boolean): string {
  const at = authority.lastIndexOf('@');
  const user = at === -1 ? undefined : authority.slice(0, at);
  const hostPort = at === -1 ? authority : authority.slice(at + 1);
  if (user !== undefined && (user.startsWith('-') || /\s/.test(user))) {
    throw new RepoArgError(`invalid user name in ${redactForMessage(arg)}`, URL_HINT);
  }
  const { host, port } = splitHostPort(hostPort);
  if (isFile && host === '') return '';
  if (!HOST_NAME.test(host) || (port !== undefined && !PORT.test(port))) {
    throw new RepoArgError(`invalid host in ${redactForMessage(arg)}`, URL_HINT);
  }
  return host.toLowerCase();
}

function splitHostPort(hostPort: string): { host: string; port: string | undefined } {
  const bracketEnd = hostPort.startsWith('[') ? hostPort.indexOf(']') : -1;
  const colon = hostPort.indexOf(':', bracketEnd === -1 ? 0 : bracketEnd);
  if (colon === -1) return { host: hostPort, port: undefined };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

function validateRepoPath(arg: string, path: string): void {
  if (path === '' || path === '/') {
    throw new RepoArgError(`no repository path in ${redactForMessage(arg)}`, URL_HINT);
  }
  if (hasDotDotSegment(path)) {
    throw new RepoArgError(`'..' is not allowed in a repository URL: ${redactForMessage(arg)}`, URL_HINT);
  }
}

function isSafeUser(user: string): boolean {
  return user !== '' && !user.startsWith('-') && !/[\s:]/.test(user);
}

