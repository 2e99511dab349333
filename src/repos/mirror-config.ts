import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from './git.js';
import { readSmallFile } from './read-small-file.js';

/** Where a mirror keeps the remote's branches: agents' own branches in refs/heads never clash. */
export const MIRROR_FETCH_REFSPECS: readonly string[] = [
  '+refs/heads/*:refs/remotes/origin/*',
  '+refs/tags/*:refs/tags/*',
];

// Everything else in a mirror's config is dropped on each ensureMirror: worktrees share
// this file, and `git config` run by an agent in its worktree writes here (fsmonitor,
// filters, url.*.insteadOf, credential.helper, include.path ...). Identity stays, so an
// agent that set user.name to commit keeps it.
const KEPT_KEYS: ReadonlySet<string> = new Set([
  'core.repositoryformatversion', 'core.filemode', 'core.ignorecase', 'core.precomposeunicode',
  'core.symlinks', 'core.logallrefupdates', 'extensions.objectformat', 'user.name', 'user.email',
]);

const DEFAULT_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ['core.repositoryformatversion', '0'],
  ['core.filemode', 'true'],
];

export type ConfigEntry = readonly [key: string, value: string];

/**
 * Rewrites the mirror's config: kept keys, core.bare, and origin = displayUrl (never
 * credentials). `current`: its entries as read just now under the mirror lock, else read here.
 */
export async function writeMirrorConfig(mirrorPath: string, displayUrl: string, current?: readonly ConfigEntry[]): Promise<void> {
  const configPath = join(mirrorPath, 'config');
  current ??= (await readConfigEntries(mirrorPath)) ?? [];
  const kept = current.filter(([key]) => KEPT_KEYS.has(key));
  const defaults = DEFAULT_ENTRIES.filter(([key]) => !kept.some(([k]) => k === key));
  const entries: ConfigEntry[] = [
    ...defaults,
    ...kept,
    ['core.bare', 'true'],
    ['remote.origin.url', displayUrl],
    ...MIRROR_FETCH_REFSPECS.map((spec): ConfigEntry => ['remote.origin.fetch', spec]),
  ];
  const text = renderConfig(entries);
  // The usual case: the config is already what it should be, and is left as it is.
  if (readSmallFile(configPath) === text) return;
  const tempPath = `${configPath}.outpost-${process.pid}-${Date.now()}`;
  await writeFile(tempPath, text, { mode: 0o644 });
  await rename(tempPath, configPath);
}

/**
 * The entries of the mirror's own config file; undefined when git cannot read it (it is then
 * rebuilt from defaults, not trusted). A file exactly as writeMirrorConfig wrote it is read
 * without git.
 */
export async function readConfigEntries(mirrorPath: string): Promise<ConfigEntry[] | undefined> {
  const own = readOwnConfig(mirrorPath);
  if (own) return own;
  const result = await runGit(['config', '--file', join(mirrorPath, 'config'), '--null', '--list'], {
    cwd: mirrorPath,
    allowFailure: true,
  });
  if (result.exitCode !== 0) return undefined;
  return result.stdout.split('\0').filter((item) => item !== '').map(splitConfigItem);
}

/** The entries of a repository's config file (`<gitDir>/config`) when it is one writeMirrorConfig wrote (parseOwnConfig). */
export function readOwnConfig(gitDir: string): ConfigEntry[] | undefined {
  // Missing or unreadable: not ours.
  return parseOwnConfig(readSmallFile(join(gitDir, 'config'), 'latin1') ?? '');
}

/**
 * The entries of a config text that is byte for byte what writeMirrorConfig writes: kept
 * keys, core.bare and origin's, nothing else. Such a text defines no filter, no include and
 * no worktree config: nothing an agent could have planted. Anything else (an agent's edit,
 * git's own formatting, an empty file): undefined, and git must read it. The text is given
 * as latin1 (one char per byte); it counts only when rendering the entries gives it back
 * unchanged, so the parse guesses nothing. Pure.
 */
export function parseOwnConfig(text: string): ConfigEntry[] | undefined {
  const entries: ConfigEntry[] = [];
  let section: string | undefined;
  for (const line of text.split('\n').slice(0, -1)) {
    const header = /^\[([a-z]+)(?: "((?:[^"\\]|\\.)*)")?\]$/.exec(line);
    if (header) {
      section = header[2] === undefined ? header[1] : `${header[1]}.${unquote(header[2])}`;
      continue;
    }
    const entry = /^\t([a-z]+) = "((?:[^"\\]|\\.)*)"$/.exec(line);
    if (!entry || section === undefined) return undefined;
    entries.push([`${section}.${entry[1]}`, Buffer.from(unquote(entry[2] ?? ''), 'latin1').toString('utf8')]);
  }
  if (entries.length === 0 || !entries.every(([key]) => OWN_KEYS.has(key))) return undefined;
  // The round trip decides: only a text renderConfig gives back unchanged is ours.
  return Buffer.from(renderConfig(entries), 'utf8').toString('latin1') === text ? entries : undefined;
}

const OWN_KEYS: ReadonlySet<string> = new Set([...KEPT_KEYS, 'core.bare', 'remote.origin.url', 'remote.origin.fetch']);

function unquote(quoted: string): string {
  return quoted.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t' })[ch] ?? ch);
}

function splitConfigItem(item: string): ConfigEntry {
  const newline = item.indexOf('\n');
  // `[core] bare` without '=' is printed as the bare key: an implicit true.
  if (newline === -1) return [item.toLowerCase(), 'true'];
  return [item.slice(0, newline).toLowerCase(), item.slice(newline + 1)];
}

function renderConfig(entries: readonly ConfigEntry[]): string {
  const sections = new Map<string, string[]>();
  for (const [key, value] of entries) {
    const dot = key.lastIndexOf('.');
    const header = renderSectionHeader(key.slice(0, dot));
    const lines = sections.get(header) ?? [];
    lines.push(`\t${key.slice(dot + 1)} = ${quoteConfigValue(value)}`);
    sections.set(header, lines);
  }
  return [...sections].map(([header, lines]) => `${header}\n${lines.join('\n')}\n`).join('');
}

function renderSectionHeader(name: string): string {
  const dot = name.indexOf('.');
  if (dot === -1) return `[${name}]`;
  return `[${name.slice(0, dot)} ${quoteConfigValue(name.slice(dot + 1))}]`;
}

function quoteConfigValue(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t');
  return `"${dropControlCharacters(escaped)}"`;
}

// Newline and tab are escaped above; other control characters cannot be written at all.
function dropControlCharacters(text: string): string {
  return [...text].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f).join('');
}
