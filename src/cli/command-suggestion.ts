import { UsageError } from '../errors.js';

/** Every subcommand besides `run` (the default). A unit test keeps this in step with program.ts. */
export const COMMAND_NAMES = ['list', 'show', 'logs', 'diff', 'compare', 'resume', 'cancel', 'prune', 'doctor', 'demo'] as const;

/**
 * `dispatch lst` would be a run on a repo named `lst`. A bare word that is not a path and is
 * one or two typos away from a command is a mistyped command (exit 2), unless it can only be
 * a repo: a task follows and DISPATCH_REMOTE_BASE resolves bare names. Pure.
 */
export function findMistypedCommand(repoArg: string, opts: { hasTask: boolean; remoteBase: string | undefined; isPath: boolean }): string | null {
  if (opts.isPath || !/^[a-z]{2,10}$/.test(repoArg)) return null;
  if (opts.hasTask && opts.remoteBase) return null;
  let best: { name: string; distance: number } | null = null;
  for (const name of COMMAND_NAMES) {
    const distance = editDistance(repoArg, name);
    if (distance <= (name.length > 4 ? 2 : 1) && (best === null || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

export function mistypedCommandError(repoArg: string, command: string, prefix: string): UsageError {
  return new UsageError(`unknown command '${repoArg}'`, `did you mean \`${prefix} ${command}\`? (a repo named ${repoArg}: pass ./${repoArg} or a URL)`);
}

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
