import { Command } from 'commander';
import type { ResolvedSettings } from '../config/resolve-settings.js';
import { DEFAULT_MODEL_ALIASES } from './agent-options.js';
import type { CliIo } from './io.js';
import { createRunCommand } from './run-command.js';

interface ConfigFlags {
  json?: boolean;
  home?: string;
  branch?: string;
}

/** `dispatch config [repo]`: the settings a run would start from, and where each came from. */
export function createConfigCommand(io: CliIo): Command {
  return new Command('config')
    .description("print the resolved run settings and their sources: defaults < dispatch.config.json in the home < .dispatch.json at the repo's root < DISPATCH_* environment")
    .argument('[repo]', "the repository whose .dispatch.json counts: a local path (default: the current directory, when it is one), or a remote, whose mirror is fetched to read it at the branch's tip")
    .option('-b, --branch <branch>', "a remote repo's branch to read .dispatch.json from (default: the remote's HEAD)")
    .option('--json', 'print the settings as JSON')
    .option('--home <dir>', 'where runs/ and repos/ live (env DISPATCH_HOME)')
    .action(async (repoArg: string | undefined, flags: ConfigFlags) => {
      // Loaded on use: zod stays out of every other command's start-up.
      const [{ resolveRunConfig }, { describeSource }, { renderSettings }, { fetchRemoteRepoConfig }] = await Promise.all([
        import('./run-config.js'),
        import('../config/resolve-settings.js'),
        import('./render-settings.js'),
        import('./remote-repo-config.js'),
      ]);
      // The run command's own defaults, as a run with no flags would see them.
      const run = createRunCommand(io, () => undefined).exitOverride();
      const remote = await fetchRemoteRepoConfig(io, repoArg, { home: flags.home, branch: flags.branch, fetchTimeout: undefined });
      const config = await resolveRunConfig(io, repoArg ?? '.', run, flags.home, remote);
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

