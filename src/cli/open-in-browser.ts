import { execa } from 'execa';
import { pathToFileURL } from 'node:url';

/** Long enough for a launcher to hand the page to a browser; a launcher that stays (the browser itself) is left running. */
const LAUNCH_WAIT_MS = 3_000;

/**
 * Opens a file in the user's browser: `$BROWSER` (one program, no shell), else xdg-open
 * (Linux) or open (macOS). The browser is meant to outlive dispatch, so it is detached and
 * not killed. Returns why it could not, or null.
 */
export async function openInBrowser(path: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  const opener = env.BROWSER?.trim() || (process.platform === 'darwin' ? 'open' : 'xdg-open');
  const child = execa(opener, [pathToFileURL(path).href], { env, extendEnv: false, detached: true, stdio: 'ignore', reject: false });
  const timer = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), LAUNCH_WAIT_MS).unref());
  const ended = await Promise.race([child, timer]);
  if (ended === 'still running') {
    child.unref();
    return null;
  }
  if (ended.failed && ended.exitCode === undefined) return `${opener} could not start: ${ended.code ?? ended.shortMessage}`;
  return ended.exitCode === 0 ? null : `${opener} exited with code ${ended.exitCode}`;
}
