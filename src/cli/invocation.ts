import { realpathSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { searchPath } from '../executors/find-binary.js';

/**
 * How the user started dispatch, so that every hint can be pasted back as is: `npx dispatch`
 * (npm exec), `dispatch` (its bin is the one on PATH: `npm install -g`), else the path they
 * ran (`./bin/dispatch`). Outside this checkout `npx dispatch` would fetch an unrelated
 * npm package, so hints never say it unless the user did.
 */
export function detectInvocation(env: NodeJS.ProcessEnv, scriptPath: string | undefined, cwd: string): string {
  if (env.npm_command === 'exec') return 'npx dispatch';
  if (!scriptPath) return 'dispatch';
  const script = realOrSelf(scriptPath);
  const onPath = searchPath('dispatch', env.PATH);
  if (onPath && realOrSelf(onPath) === script) return 'dispatch';
  const fromCwd = relative(cwd, scriptPath);
  if (fromCwd && !fromCwd.startsWith('..') && !isAbsolute(fromCwd)) return `./${fromCwd}`;
  return scriptPath;
}

/** Rewrites the hints' `dispatch …` (in backticks) to the command the user typed. */
export function rewriteHints(text: string, invocation: string): string {
  return invocation === 'dispatch' ? text : text.replaceAll('`dispatch ', `\`${invocation} `);
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
