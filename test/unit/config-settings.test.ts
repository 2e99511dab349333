import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTING_KEYS } from '../../src/config/config-keys.js';
import { configFileSchema } from '../../src/config/config-schema.js';
import { loadConfigFiles, validateConfigText, type LoadedConfig } from '../../src/config/load-config.js';
import { describeSource, resolveSettings, settingEnvName, settingFlagName } from '../../src/config/resolve-settings.js';
import { UsageError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-config-'));
  dirs.push(dir);
  return dir;
}

describe('config files', () => {
  it('reports every problem of both files at once, each with its file and key', async () => {
    const home = tempDir();
    const repo = tempDir();
    writeFileSync(join(home, 'dispatch.config.json'), JSON.stringify({ timeout: 5, exectuor: 'claude' }));
    writeFileSync(join(repo, '.dispatch.json'), JSON.stringify({ reasoning: 'max', attempts: 0, models: { fast: { gemini: 'x' } } }));
    const error: unknown = await loadConfigFiles(home, repo).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as UsageError).message;
    expect((error as UsageError).exitCode).toBe(2);
    for (const part of [
      `${join(home, 'dispatch.config.json')}: timeout:`,
      `${join(home, 'dispatch.config.json')}: exectuor:`,
      `${join(repo, '.dispatch.json')}: reasoning:`,
      `${join(repo, '.dispatch.json')}: attempts:`,
      `${join(repo, '.dispatch.json')}: models.fast.gemini:`,
    ]) expect(message).toContain(part);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('says when a file is not JSON', async () => {
    expect((await validateConfigText('{"model": ', '/r/.dispatch.json', 'repo')).problems[0]).toMatch(/^\/r\/\.dispatch\.json: not valid JSON/);
  });

  it('resolves file settings against the config file; a repo config cannot name files outside the repo', async () => {
    const home = await validateConfigText(JSON.stringify({ instructions: '@notes/rules.md', mcpConfig: '/etc/mcp.json', outputSchema: 's.json' }), '/h/dispatch.config.json', 'home');
    expect(home.config?.values).toEqual({ instructions: '@/h/notes/rules.md', mcpConfig: '/etc/mcp.json', outputSchema: '/h/s.json' });
    const inline = await validateConfigText(JSON.stringify({ instructions: 'Always run the tests' }), '/r/.dispatch.json', 'repo');
    expect(inline.config?.values.instructions).toBe('Always run the tests');
    const outside = await validateConfigText(JSON.stringify({ mcpConfig: '../x.json', instructions: '@/etc/passwd' }), '/r/.dispatch.json', 'repo');
    expect(outside.problems).toEqual([
      "/r/.dispatch.json: instructions: a repo's config can only name files inside the repo, not /etc/passwd",
      "/r/.dispatch.json: mcpConfig: a repo's config can only name files inside the repo, not ../x.json",
    ]);
  });

  it('a repo config has no key for where files go (home, runs)', async () => {
    expect((await validateConfigText(JSON.stringify({ home: '/tmp/elsewhere' }), '/r/.dispatch.json', 'repo')).problems).toEqual(['/r/.dispatch.json: home: Unrecognized key: "home"']);
  });

  it('the setting names without the schema are the schema\'s keys, in its order', () => {
    expect(SETTING_KEYS).toEqual(Object.keys(configFileSchema.shape));
  });

  it('no files, no configs', async () => {
    expect(await loadConfigFiles(tempDir(), undefined)).toEqual([]);
    const repo = tempDir();
    mkdirSync(join(repo, 'sub'));
    expect(await loadConfigFiles(tempDir(), repo)).toEqual([]);
  });
});

describe('settings precedence: defaults < home < repo < env < flags', () => {
  const configs: LoadedConfig[] = [
    { kind: 'repo' as const, path: '/r/.dispatch.json', values: { timeout: '30m', model: 'fast', env: ['B=2'], models: { fast: { codex: 'c-fast' } } } },
    { kind: 'home' as const, path: '/h/dispatch.config.json', values: { timeout: '2h', executor: 'claude', sandbox: 'full' as const, env: ['A=1'], models: { deep: { claude: 'opus' } } } },
  ];
  const defaults = { timeout: '60m', executor: 'codex', sandbox: 'workspace-write', idleTimeout: '15m' };

  it('takes each value from the highest layer that sets it, and says where from', () => {
    const settings = resolveSettings({ defaults, configs, env: { DISPATCH_SANDBOX: 'read-only', DISPATCH_MODEL: 'smart' }, flags: { model: 'gpt-x' } });
    expect(settings.idleTimeout).toEqual({ value: '15m', sources: [{ kind: 'default' }] });
    expect(settings.executor).toEqual({ value: 'claude', sources: [{ kind: 'home', path: '/h/dispatch.config.json' }] });
    expect(settings.timeout).toEqual({ value: '30m', sources: [{ kind: 'repo', path: '/r/.dispatch.json' }] });
    expect(settings.sandbox).toEqual({ value: 'read-only', sources: [{ kind: 'env', name: 'DISPATCH_SANDBOX' }] });
    expect(settings.model).toEqual({ value: 'gpt-x', sources: [{ kind: 'flag', name: '--model' }] });
  });

  it('lists and model aliases merge across layers, in precedence order', () => {
    const settings = resolveSettings({ defaults, configs, env: {}, flags: { env: ['C=3'] } });
    expect(settings.env?.value).toEqual(['A=1', 'B=2', 'C=3']);
    expect(settings.env?.sources.map(describeSource)).toEqual(['home config /h/dispatch.config.json', 'repo config /r/.dispatch.json', 'flag --env']);
    expect(settings.models?.value).toEqual({ deep: { claude: 'opus' }, fast: { codex: 'c-fast' } });
  });

  it('DISPATCH_CLEAN_ENV is a switch; an empty variable counts as unset', () => {
    expect(resolveSettings({ defaults, configs: [], env: { DISPATCH_CLEAN_ENV: '1', DISPATCH_TIMEOUT: '' }, flags: {} })).toMatchObject({
      cleanEnv: { value: true },
      timeout: { value: '60m' },
    });
    expect(resolveSettings({ defaults, configs: [], env: { DISPATCH_CLEAN_ENV: 'false' }, flags: {} }).cleanEnv?.value).toBe(false);
  });

  it('every setting of the schema is resolved from a config file (a key missing from the name list would be ignored)', () => {
    const values = { workspacePool: 0, concurrency: 3 };
    const settings = resolveSettings({ defaults: {}, configs: [{ kind: 'home', path: '/h/dispatch.config.json', values }], env: {}, flags: {} });
    expect(settings.workspacePool).toEqual({ value: 0, sources: [{ kind: 'home', path: '/h/dispatch.config.json' }] });
    expect(settings.concurrency?.value).toBe(3);
  });

  it('names the variable and flag of each setting', () => {
    expect([settingEnvName('idleTimeout'), settingEnvName('codexArgs'), settingEnvName('models')]).toEqual(['DISPATCH_IDLE_TIMEOUT', undefined, undefined]);
    expect([settingFlagName('codexArgs'), settingFlagName('env'), settingFlagName('mcpConfig')]).toEqual(['--codex-arg', '--env', '--mcp-config']);
  });
});
