import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, normalize, parse, sep } from 'node:path';
import { isExecutableFile } from './find-binary.js';

/**
 * npm installs codex as `bin/codex.js`, a node script that finds the platform's native
 * binary and runs it: on Node 20 as a child it stays beside for the whole run. Started
 * directly, a run saves that node start and process; the native binary is given the
 * variables the script would give it. Anything unexpected keeps the located binary.
 */

export interface CodexCommand {
  /** The file to execute: the native binary, or the located one unchanged. */
  bin: string;
  /** The environment to run it with (the one given, or a copy with the launcher's additions). */
  env: Record<string, string>;
}

export interface Host {
  platform: NodeJS.Platform;
  arch: string;
}

const PACKAGE_NAME = '@openai/codex';
const LAYOUT_VERSION = 1;
const MANAGED_BY_VARS = ['CODEX_MANAGED_BY_NPM', 'CODEX_MANAGED_BY_BUN', 'CODEX_MANAGED_BY_PNPM', 'CODEX_MANAGED_BY_VITE_PLUS'];

/** The target triple and platform package of a host, as @openai/codex's launcher names them. */
export function codexTarget(host: Host): { triple: string; platformPackage: string } | undefined {
  const cpu = host.arch === 'x64' ? 'x86_64' : host.arch === 'arm64' ? 'aarch64' : undefined;
  if (cpu === undefined) return undefined;
  if (host.platform === 'linux' || host.platform === 'android') return { triple: `${cpu}-unknown-linux-musl`, platformPackage: `${PACKAGE_NAME}-linux-${host.arch}` };
  if (host.platform === 'darwin') return { triple: `${cpu}-apple-darwin`, platformPackage: `${PACKAGE_NAME}-darwin-${host.arch}` };
  // Windows: the launcher stays (a child process is how it runs the binary there too).
  return undefined;
}

/**
 * The command that runs the codex found at `located`: its native binary with the launcher's
 * variables when `located` is @openai/codex's npm launcher and the platform package has a
 * layout this knows; otherwise `located` and `env` as they are.
 */
export function resolveCodexCommand(located: string, env: Record<string, string>, host: Host = process): CodexCommand {
  const unchanged = { bin: located, env };
  const target = codexTarget(host);
  if (target === undefined) return unchanged;
  const launcher = realpathOrUndefined(located);
  if (launcher === undefined || basename(launcher) !== 'codex.js' || basename(dirname(launcher)) !== 'bin') return unchanged;
  const found = findNative(launcher, target, env);
  if (found === undefined) return unchanged;
  const managed = { ...env };
  for (const name of MANAGED_BY_VARS) delete managed[name];
  managed.CODEX_MANAGED_PACKAGE_ROOT = found.packageRoot;
  managed[`CODEX_MANAGED_BY_${found.manager}`] = '1';
  return { bin: found.bin, env: managed };
}

interface NativeCodex {
  bin: string;
  packageRoot: string;
  manager: 'PNPM' | 'BUN' | 'NPM';
}

// Asked three times per run (the version probe, the seeding, the agent's start) and by every
// run of a group or a worker: one lookup per launcher and guess, for as long as its binary is there.
const foundNatives = new Map<string, NativeCodex>();

function findNative(launcher: string, target: { triple: string; platformPackage: string }, env: Record<string, string>): NativeCodex | undefined {
  const key = [launcher, target.triple, env.npm_config_user_agent ?? '', env.npm_execpath ?? ''].join('\0');
  const known = foundNatives.get(key);
  if (known && isExecutableFile(known.bin)) return known;
  const packageRoot = dirname(dirname(launcher));
  if (readJson(join(packageRoot, 'package.json'))?.name !== PACKAGE_NAME) return undefined;
  const bin = findEntrypoint(join(findVendorRoot(launcher, packageRoot, target.platformPackage), target.triple));
  if (bin === undefined) return undefined;
  const found = { bin, packageRoot, manager: guessPackageManager(packageRoot, env) };
  foundNatives.set(key, found);
  return found;
}

/** Where the platform package keeps its vendor tree: resolved as node resolves it from the launcher, else the package's own. */
function findVendorRoot(launcher: string, packageRoot: string, platformPackage: string): string {
  try {
    return join(dirname(createRequire(launcher).resolve(`${platformPackage}/package.json`)), 'vendor');
  } catch {
    return join(packageRoot, 'vendor');
  }
}

/** The executable codex-package.json (layout 1) names inside `targetDir`, if there is one. */
function findEntrypoint(targetDir: string): string | undefined {
  const layout = readJson(join(targetDir, 'codex-package.json'));
  const entrypoint = layout?.entrypoint;
  if (layout?.layoutVersion !== LAYOUT_VERSION || typeof entrypoint !== 'string' || entrypoint === '' || isAbsolute(entrypoint)) return undefined;
  const relative = normalize(entrypoint);
  if (relative === '..' || relative.startsWith(`..${sep}`)) return undefined;
  const path = join(targetDir, relative);
  return isExecutableFile(path) ? path : undefined;
}

/**
 * The launcher's guess, which only changes the update command codex suggests: pnpm when a
 * pnpm-managed node_modules above the package links it, bun for bun's global store, else npm.
 */
function guessPackageManager(packageRoot: string, env: Record<string, string>): 'PNPM' | 'BUN' | 'NPM' {
  for (let dir = packageRoot; ; dir = dirname(dir)) {
    const modules = join(dir, 'node_modules');
    if (existsSync(join(modules, '.modules.yaml')) && realpathOrUndefined(join(modules, '@openai', 'codex')) === packageRoot) return 'PNPM';
    if (dir === parse(dir).root) break;
  }
  const bun = /\bbun\//.test(env.npm_config_user_agent ?? '') || (env.npm_execpath ?? '').includes('bun') || packageRoot.includes(`${sep}.bun${sep}install${sep}global`);
  return bun ? 'BUN' : 'NPM';
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
