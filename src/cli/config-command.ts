import { Command } from 'commander';
import { SETTING_KEYS } from '../config/config-schema.js';
import { HOME_CONFIG_FILE, REPO_CONFIG_FILE } from '../config/load-config.js';
import { describeSource, settingEnvName, type ResolvedSettings } from '../config/resolve-settings.js';
import { DEFAULT_MODEL_ALIASES } from './agent-options.js';
import type { CliIo } from './io.js';
import { createRunCommand } from './run-command.js';

interface ConfigFlags {
  json?: boolean;
  home?: string;
}

/** `dispatch config [repo]`: the settings a run would start from, and where each came from. */
export function createConfigCommand(io: CliIo): Command {
  return new Command('config')
    .description(`print the resolved run settings and their sources: defaults < ${HOME_CONFIG_FILE} in the home < ${REPO_CONFIG_FILE} at the repo's root < DISPATCH_* environment`)
    .argument('[repo]', 'a local repository whose .dispatch.json counts (default: the current directory, when it is one)')
    .option('--json', 'print the settings as JSON')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (repoArg: string | undefined, flags: ConfigFlags) => {
      const { resolveRunConfig } = await import('./run-config.js');
      // The run command's own defaults, as a run with no flags would see them.
      const run = createRunCommand(io, () => undefined).exitOverride();
      const config = resolveRunConfig(io, repoArg ?? '.', run, flags.home);
      const settings: ResolvedSettings = {
        ...config.settings,
        models: {
          value: { ...DEFAULT_MODEL_ALIASES, ...(config.settings.models?.value as object | undefined) },
          sources: [{ kind: 'default' }, ...(config.settings.models?.sources ?? [])],
        },
      };
      if (flags.json) {
        const out = Object.fromEntries(
          Object.entries(settings).map(([key, setting]) => [key, { value: setting.value, sources: setting.sources.map(describeSource) }]),
        );
        io.stdout.write(`${JSON.stringify({ files: config.configs.map(({ kind, path }) => ({ kind, path })), settings: out }, null, 2)}\n`);
        return;
      }
      io.stdout.write(renderSettings(settings, config.configs.map((file) => `${file.kind} config: ${file.path}`)));
    });
}

function renderValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The settings as aligned lines: key, value, source. Pure. */
export function renderSettings(settings: ResolvedSettings, files: string[]): string {
  const rows = SETTING_KEYS.flatMap((key) => {
    const setting = settings[key];
    if (!setting) return [];
    return [[key, renderValue(setting.value), setting.sources.map(describeSource).join(' + ')]];
  });
  const width = Math.max(...rows.map((row) => row[0]?.length ?? 0));
  const lines = rows.map(([key = '', value = '', source = '']) => `${key.padEnd(width)}  ${value}  (${source})`);
  const unset = SETTING_KEYS.filter((key) => !settings[key]).map((key) => `${key}${settingEnvName(key) ? ` [${settingEnvName(key)}]` : ''}`);
  return [
    ...(files.length > 0 ? files : ['no config file found']),
    '',
    ...lines,
    ...(unset.length > 0 ? ['', `not set: ${unset.join(', ')}`] : []),
    '',
  ].join('\n');
}
