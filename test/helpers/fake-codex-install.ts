import { chmodSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const FAKE_TRIPLE = 'x86_64-unknown-linux-musl';

export interface FakeCodexInstall {
  /** node_modules/.bin/codex, a link to the launcher as npm makes it. */
  bin: string;
  /** The @openai/codex package directory. */
  packageRoot: string;
  /** The platform package's vendor/<triple> directory. */
  targetDir: string;
  /** vendor/<triple>/bin/codex. */
  native: string;
}

/** Writes `text` at `path` with `mode`, replacing any file there by rename (a new inode, as a reinstall makes). */
export function writeInstalledFile(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.new`, text);
  chmodSync(`${path}.new`, mode);
  renameSync(`${path}.new`, path);
}

export const codexLayout = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ layoutVersion: 1, version: '0.169.0', target: FAKE_TRIPLE, entrypoint: 'bin/codex', ...extra });

/**
 * An npm install of @openai/codex for linux x64 under `projectDir`: the launcher (a script
 * that fails if it is ever run), its package, and the platform package whose native binary
 * is `nativeScript`.
 */
export function writeFakeCodexInstall(projectDir: string, nativeScript = '#!/bin/sh\n'): FakeCodexInstall {
  const modules = join(projectDir, 'node_modules');
  const packageRoot = join(modules, '@openai', 'codex');
  writeInstalledFile(join(packageRoot, 'package.json'), JSON.stringify({ name: '@openai/codex', version: '0.169.0', bin: { codex: 'bin/codex.js' } }));
  writeInstalledFile(join(packageRoot, 'bin', 'codex.js'), '#!/bin/sh\necho "the launcher ran" >&2\nexit 99\n', 0o755);
  writeInstalledFile(join(modules, '@openai', 'codex-linux-x64', 'package.json'), JSON.stringify({ name: '@openai/codex', version: '0.169.0-linux-x64' }));
  const targetDir = join(modules, '@openai', 'codex-linux-x64', 'vendor', FAKE_TRIPLE);
  writeInstalledFile(join(targetDir, 'codex-package.json'), codexLayout());
  const native = join(targetDir, 'bin', 'codex');
  writeInstalledFile(native, nativeScript, 0o755);
  mkdirSync(join(modules, '.bin'), { recursive: true });
  symlinkSync('../@openai/codex/bin/codex.js', join(modules, '.bin', 'codex'));
  return { bin: join(modules, '.bin', 'codex'), packageRoot, targetDir, native };
}
