import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { compareRunIds, parseEntryId } from './run-id.js';

export interface RunRef {
  kind: 'run' | 'group';
  id: string;
  dir: string;
}

const isGroupId = (id: string) => parseEntryId(id)?.executor === 'group';

/** Run and group ids under runs/, oldest first (ids start with their UTC start time). */
export function listEntryIds(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .filter((name) => parseEntryId(name) !== null)
    .sort(compareRunIds);
}

function refOf(runsDir: string, id: string): RunRef {
  return { kind: isGroupId(id) ? 'group' : 'run', id, dir: join(runsDir, id) };
}

/**
 * Resolves what a user typed for a run: `latest`, a full id, a unique id prefix, or a path
 * to a run directory. `accept` limits it to runs or groups.
 */
export function resolveRunRef(runsDir: string, ref: string, accept: 'run' | 'group' | 'any' = 'any'): RunRef {
  const ids = listEntryIds(runsDir).filter((id) => accept === 'any' || refOf(runsDir, id).kind === accept);
  const noun = accept === 'any' ? 'run or group' : accept;
  if (ref === 'latest') {
    const newest = ids.filter((id) => accept !== 'any' || !isGroupId(id)).at(-1) ?? ids.at(-1);
    if (!newest) throw new UsageError(`there is no ${noun} in ${runsDir} yet`, 'dispatch a task first, or pass --home');
    return refOf(runsDir, newest);
  }
  const id = ref.includes('/') && resolve(ref).startsWith(resolve(runsDir)) ? basename(resolve(ref)) : ref;
  if (ids.includes(id)) return refOf(runsDir, id);
  const matches = ids.filter((candidate) => candidate.startsWith(id) || candidate.endsWith(`-${id}`));
  if (matches.length === 1 && matches[0]) return refOf(runsDir, matches[0]);
  if (matches.length === 0) {
    throw new UsageError(`no ${noun} matches '${ref}' in ${runsDir}`, 'see `dispatch list`, or pass --home');
  }
  throw new UsageError(
    `'${ref}' is ambiguous: ${matches.length} ${noun}s match (${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', …' : ''})`,
    'type more of the id',
  );
}
