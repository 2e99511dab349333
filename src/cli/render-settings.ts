import { SETTING_KEYS } from '../config/config-keys.js';
import { describeSource, settingEnvName, type ResolvedSettings } from '../config/resolve-settings.js';

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
