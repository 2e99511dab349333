import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SETTING_KEYS } from '../config/config-keys.js';
import { loadConfigFiles, type ConfigResult, type LoadedConfig } from '../config/load-config.js';
import { resolveSettings, type ResolvedSettings, type SettingKey } from '../config/resolve-settings.js';
import { parseRepoArg } from '../repos/repo-arg.js';
import { resolveHome } from '../runs/home.js';
import type { CliIo } from './io.js';

type ModelAliases = Record<string, { codex?: string; claude?: string }>;

/** What the config layers came to for one command line. */
export interface RunConfig {
  configs: LoadedConfig[];
  settings: ResolvedSettings;
  aliases: ModelAliases;
}

/** The commander attribute of a setting (`codexArgs` is the repeatable `--codex-arg`). */
function attributeOf(key: SettingKey): string {
  return key === 'codexArgs' ? 'codexArg' : key === 'claudeArgs' ? 'claudeArg' : key;
}

/** The repository root whose .dispatch.json counts, when `repoArg` is a local repository. */
export function localRepoRoot(repoArg: string | undefined, io: CliIo): string | undefined {
  if (repoArg === undefined || !existsSync(resolve(io.cwd, repoArg))) return undefined;
  try {
    const repo = parseRepoArg(repoArg, { remoteBase: io.env.DISPATCH_REMOTE_BASE, cwd: io.cwd });
    return repo.kind === 'local' ? repo.url : undefined;
  } catch {
    return undefined; // The run reports a bad repo argument itself.
  }
}

/**
 * Resolves every setting from defaults < home config < repo config < environment < typed
 * flags. `remote` is a remote repository's config, read beforehand (see readRepoConfigOfRemote).
 */
export async function resolveRunConfig(io: CliIo, repoArg: string | undefined, command: Command, home: string | undefined, remote?: ConfigResult): Promise<RunConfig> {
  const configs = await loadConfigFiles(resolveHome(home, io.env).root, remote ?? localRepoRoot(repoArg, io));
  const defaults: Partial<Record<SettingKey, unknown>> = {};
  const flags: Partial<Record<SettingKey, unknown>> = {};
  const values = command.opts<Record<string, unknown>>();
  for (const key of SETTING_KEYS) {
    const attribute = attributeOf(key);
    const source = command.getOptionValueSource(attribute);
    if (source === 'cli') flags[key] = values[attribute];
    else if (values[attribute] !== undefined) defaults[key] = values[attribute];
  }
  const settings = resolveSettings({ defaults, configs, env: io.env, flags });
  const aliases = (settings.models?.value ?? {}) as ModelAliases;
  return { configs, settings, aliases };
}

/** Resolves the settings and writes them into the command's flags, as if typed. */
export async function applyRunConfig<Flags extends object>(io: CliIo, repoArg: string, flags: Flags, command: Command, home: string | undefined, remote?: ConfigResult): Promise<RunConfig> {
  const config = await resolveRunConfig(io, repoArg, command, home, remote);
  const target = flags as Record<string, unknown>;
  for (const [key, setting] of Object.entries(config.settings) as Array<[SettingKey, { value: unknown }]>) {
    if (key === 'models') continue;
    target[attributeOf(key)] = typeof setting.value === 'number' ? String(setting.value) : setting.value;
  }
  return config;
}
