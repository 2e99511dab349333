import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codexTarget, resolveCodexCommand } from '../../src/executors/codex-native.js';
import { getExecutor } from '../../src/executors/registry.js';
import { codexLayout, FAKE_TRIPLE, writeFakeCodexInstall, writeInstalledFile } from '../helpers/fake-codex-install.js';
import { projectRoot } from '../helpers/run-cli.js';

const linux = { platform: 'linux', arch: 'x64' } as const;
const TRIPLE = FAKE_TRIPLE;

describe('starting codex by its native binary', () => {
  let dir: string;
  let modules: string;
  let codexPackage: string;
  let bin: string;
  let native: string;
  let layoutFile: string;

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'dispatch-codex-native-')));
    modules = join(dir, 'project', 'node_modules');
    const install = writeFakeCodexInstall(join(dir, 'project'));
    ({ bin, native, packageRoot: codexPackage } = install);
    layoutFile = join(install.targetDir, 'codex-package.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the launcher's native binary with the variables the launcher sets for an npm install", () => {
    const env = { PATH: '/usr/bin', CODEX_HOME: '/run/home', CODEX_MANAGED_BY_BUN: '1', CODEX_MANAGED_BY_PNPM: '1', CODEX_MANAGED_BY_VITE_PLUS: '1' };
    const command = resolveCodexCommand(bin, env, linux);
    expect(command.bin).toBe(native);
    expect(command.env).toEqual({ PATH: '/usr/bin', CODEX_HOME: '/run/home', CODEX_MANAGED_PACKAGE_ROOT: codexPackage, CODEX_MANAGED_BY_NPM: '1' });
    // The caller's environment is not changed.
    expect(env.CODEX_MANAGED_BY_BUN).toBe('1');
  });

  it("gives the package's real path as its root when node_modules is reached through a link", () => {
    symlinkSync(join(dir, 'project'), join(dir, 'linked-project'));
    const command = resolveCodexCommand(join(dir, 'linked-project', 'node_modules', '.bin', 'codex'), {}, linux);
    expect(command.env.CODEX_MANAGED_PACKAGE_ROOT).toBe(codexPackage);
    expect(command.bin).toBe(native);
  });

  it('says pnpm when a pnpm node_modules (.modules.yaml) above the package links it', () => {
    writeInstalledFile(join(modules, '.modules.yaml'), 'layoutVersion: 5\n');
    const command = resolveCodexCommand(bin, { CODEX_MANAGED_BY_NPM: '1' }, linux);
    expect(command.env).toMatchObject({ CODEX_MANAGED_BY_PNPM: '1' });
    expect(command.env.CODEX_MANAGED_BY_NPM).toBeUndefined();
  });

  it("falls back to the launcher's own vendor directory when no platform package resolves", () => {
    rmSync(join(modules, '@openai', 'codex-linux-x64'), { recursive: true });
    expect(resolveCodexCommand(bin, {}, linux)).toEqual({ bin, env: {} });
    const vendored = join(codexPackage, 'vendor', TRIPLE, 'bin', 'codex');
    writeInstalledFile(join(codexPackage, 'vendor', TRIPLE, 'codex-package.json'), codexLayout());
    writeInstalledFile(vendored, '#!/bin/sh\n', 0o755);
    expect(resolveCodexCommand(bin, {}, linux).bin).toBe(vendored);
  });

  it.each([
    ['a layout of another version', () => writeInstalledFile(layoutFile, codexLayout({ layoutVersion: 2 }))],
    ['no codex-package.json', () => rmSync(layoutFile)],
    ['a damaged codex-package.json', () => writeInstalledFile(layoutFile, '{"layoutVersion":1,')],
    ['an entrypoint that is not executable', () => chmodSync(native, 0o644)],
    ['an entrypoint that is missing', () => rmSync(native)],
    ['an entrypoint outside the target directory', () => writeInstalledFile(layoutFile, codexLayout({ entrypoint: '../../../codex/bin/codex.js' }))],
    ['another package under the same path', () => writeInstalledFile(join(codexPackage, 'package.json'), JSON.stringify({ name: 'codex-fork' }))],
  ])('keeps the launcher for %s', (_name, damage) => {
    damage();
    const env = { PATH: '/usr/bin' };
    expect(resolveCodexCommand(bin, env, linux)).toEqual({ bin, env });
  });

  it('looks the binary up once per launcher while it is there, and again once it is gone', () => {
    expect(resolveCodexCommand(bin, {}, linux).bin).toBe(native);
    // Found before: a run's later asks (and a worker's later runs) take it as found.
    writeInstalledFile(join(codexPackage, 'package.json'), JSON.stringify({ name: 'codex-fork' }));
    expect(resolveCodexCommand(bin, {}, linux).bin).toBe(native);
    // Gone: looked up anew, and this package is not codex's any more.
    rmSync(native);
    expect(resolveCodexCommand(bin, {}, linux)).toEqual({ bin, env: {} });
  });

  it('keeps a CODEX_BIN that is not the launcher as it is', () => {
    const script = join(dir, 'my-codex', 'bin', 'codex.js');
    writeInstalledFile(script, '#!/bin/sh\n', 0o755);
    writeInstalledFile(join(dir, 'my-codex', 'package.json'), JSON.stringify({ name: 'my-codex' }));
    const fake = join(projectRoot, 'test', 'fixtures', 'fake-agent.mjs');
    for (const other of [script, fake, native, join(dir, 'missing')]) expect(resolveCodexCommand(other, { A: '1' }, linux)).toEqual({ bin: other, env: { A: '1' } });
  });

  it('keeps the launcher on Windows and on hosts the launcher names no binary for', () => {
    for (const host of [{ platform: 'win32', arch: 'x64' }, { platform: 'linux', arch: 'ia32' }, { platform: 'freebsd', arch: 'x64' }] as const) {
      expect(resolveCodexCommand(bin, {}, host).bin).toBe(bin);
    }
  });

  it("names the launcher's target triples and platform packages", () => {
    expect(codexTarget({ platform: 'linux', arch: 'arm64' })).toEqual({ triple: 'aarch64-unknown-linux-musl', platformPackage: '@openai/codex-linux-arm64' });
    expect(codexTarget({ platform: 'darwin', arch: 'x64' })).toEqual({ triple: 'x86_64-apple-darwin', platformPackage: '@openai/codex-darwin-x64' });
    expect(codexTarget({ platform: 'darwin', arch: 'arm64' })).toEqual({ triple: 'aarch64-apple-darwin', platformPackage: '@openai/codex-darwin-arm64' });
  });

  it.skipIf(codexTarget(process)?.triple !== TRIPLE)('builds a codex invocation of the native binary and keeps claude as located', () => {
    const request = { bin, worktree: dir, runDir: dir, agentHome: join(dir, 'home'), sandbox: 'workspace-write', baseEnv: { PATH: '/usr/bin' } } as const;
    const invocation = getExecutor('codex').buildInvocation(request);
    expect(invocation.file).toBe(native);
    expect(invocation.env).toMatchObject({ CODEX_HOME: join(dir, 'home'), CODEX_MANAGED_PACKAGE_ROOT: codexPackage, CODEX_MANAGED_BY_NPM: '1' });
    expect(getExecutor('claude').buildInvocation(request).file).toBe(bin);
  });
});

describe.skipIf(codexTarget(process) === undefined)('the pinned codex install', () => {
  it('resolves to the native binary of its platform package, which runs and says its version', () => {
    const launcher = join(projectRoot, 'node_modules', '.bin', 'codex');
    const command = resolveCodexCommand(launcher, { PATH: process.env.PATH ?? '/usr/bin:/bin' });
    const target = codexTarget(process);
    expect(command.bin).toBe(join(projectRoot, 'node_modules', target?.platformPackage ?? '', 'vendor', target?.triple ?? '', 'bin', 'codex'));
    expect(command.env.CODEX_MANAGED_PACKAGE_ROOT).toBe(realpathSync(join(projectRoot, 'node_modules', '@openai', 'codex')));
    expect(execFileSync(command.bin, ['--version'], { env: command.env, encoding: 'utf8' })).toMatch(/^codex-cli 0\.169\.0/);
  });
});
