import { UsageError } from '../errors.js';

/** Every subcommand besides `run` (the default). A unit test keeps this in step with program.ts. */
export const COMMAND_NAMES = ['list', 'show', 'logs', 'diff', 'compare', 'report', 'resume', 'cancel', 'prune', 'doctor', 'config', 'worker', 'demo'] as const;

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

/** Edit distance with adjacent transpositions (optimal string alignment): `shwo` is one typo from `show`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] ?? [])[j] = best;
    }
  }
  return at(a.length, b.length);
}
