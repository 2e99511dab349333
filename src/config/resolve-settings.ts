import { SETTING_KEYS } from './config-keys.js';
import type { ConfigFile } from './config-schema.js';
import type { LoadedConfig } from './load-config.js';

export type SettingKey = keyof ConfigFile;

/** Where a setting's value came from, lowest precedence first. */
export type SettingSource =
  | { kind: 'default' }
  | { kind: 'home' | 'repo'; path: string }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string };

export interface ResolvedSetting {
  value: unknown;
  /** Every layer that contributed, lowest first (lists and model aliases merge; others: the last one). */
  sources: SettingSource[];
}

export type ResolvedSettings = Partial<Record<SettingKey, ResolvedSetting>>;

/** Settings that lists merge across layers (a flag adds to the config's), in precedence order. */
const LIST_SETTINGS = new Set<SettingKey>(['codexArgs', 'claudeArgs', 'env']);

/** The environment variable of each single-valued setting: DISPATCH_ + the flag's name. */
export function settingEnvName(key: SettingKey): string | undefined {
  if (LIST_SETTINGS.has(key) || key === 'models') return undefined;
  return `DISPATCH_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** The `dispatch run` flag of a setting (`codexArgs` → `--codex-arg`). */
export function settingFlagName(key: SettingKey): string | undefined {
  if (key === 'models') return undefined;
  const name = LIST_SETTINGS.has(key) && key !== 'env' ? key.replace(/s$/, '') : key;
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function envValue(key: SettingKey, raw: string): unknown {
  if (key === 'cleanEnv') return raw !== '' && raw !== '0' && raw.toLowerCase() !== 'false';
  return raw;
}

interface Layer {
  source: SettingSource;
  values: Partial<Record<SettingKey, unknown>>;
}

/**
 * Lays the layers over each other: defaults < home config < repo config < environment <
 * flags. `flags` holds only flags the user typed. Pure.
 */
export function resolveSettings(input: {
  defaults: Partial<Record<SettingKey, unknown>>;
  configs: LoadedConfig[];
  env: NodeJS.ProcessEnv;
  flags: Partial<Record<SettingKey, unknown>>;
}): ResolvedSettings {
  const layers: Layer[] = [
    { source: { kind: 'default' }, values: input.defaults },
    ...['home', 'repo'].flatMap((kind) =>
      input.configs.filter((config) => config.kind === kind).map((config) => ({ source: { kind: config.kind, path: config.path }, values: config.values }))),
  ];
  for (const key of SETTING_KEYS) {
    const name = settingEnvName(key);
    const raw = name === undefined ? undefined : input.env[name];
    if (name !== undefined && raw !== undefined && raw !== '') layers.push({ source: { kind: 'env', name }, values: { [key]: envValue(key, raw) } });
  }
  for (const key of SETTING_KEYS) {
    if (input.flags[key] !== undefined) layers.push({ source: { kind: 'flag', name: settingFlagName(key) ?? key }, values: { [key]: input.flags[key] } });
  }
  const resolved: ResolvedSettings = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values) as Array<[SettingKey, unknown]>) {
      if (value === undefined) continue;
      resolved[key] = foldSetting(key, resolved[key], value, layer.source);
    }
  }
  return resolved;
}

function foldSetting(key: SettingKey, current: ResolvedSetting | undefined, value: unknown, source: SettingSource): ResolvedSetting {
  if (current && LIST_SETTINGS.has(key) && Array.isArray(current.value) && Array.isArray(value)) {
    if (value.length === 0) return current;
    return { value: [...(current.value as unknown[]), ...(value as unknown[])], sources: [...current.sources, source] };
  }
  if (current && key === 'models') {
    return { value: { ...(current.value as object), ...(value as object) }, sources: [...current.sources, source] };
  }
  return { value, sources: [source] };
}

/** A source as `dispatch config` prints it. */
export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'home':
      return `home config ${source.path}`;
    case 'repo':
      return `repo config ${source.path}`;
    case 'env':
      return `env ${source.name}`;
    case 'flag':
      return `flag ${source.name}`;
  }
}
