import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Creates a run's private agent home (mode 0700) and copies the named files from the
 * user's own agent home into it, each with mode 0600. Missing source files are skipped:
 * the auth check before a run is what tells users they are not logged in. A few small local
 * files, so the calls are synchronous: an asynchronous one waits for a free thread behind
 * the run's fsyncs.
 */
export function seedAgentHome(agentHome: string, sourceDir: string, files: string[]): string[] {
  mkdirSync(agentHome, { recursive: true, mode: 0o700 });
  chmodSync(agentHome, 0o700);
  const copied: string[] = [];
  for (const file of files) {
    const source = join(sourceDir, file);
    if (!existsSync(source)) continue;
    const target = join(agentHome, file);
    copyFileSync(source, target);
    chmodSync(target, 0o600);
    copied.push(file);
  }
  return copied;
}

/**
 * Makes `agentHome/file` a symbolic link to the user's own file, replacing whatever was
 * there (a copy left by an older dispatch). No source, no link: the auth check reports it.
 * The run directory then holds no secret, and the agent's writes land in the user's file.
 */
export function linkAgentFile(agentHome: string, sourceDir: string, file: string): boolean {
  mkdirSync(agentHome, { recursive: true, mode: 0o700 });
  const target = join(agentHome, file);
  rmSync(target, { force: true });
  const source = resolve(sourceDir, file);
  if (!existsSync(source)) return false;
  symlinkSync(source, target);
  return true;
}

/** Removes a file from a run's agent home (a credentials copy an older dispatch left). */
export function removeAgentFile(agentHome: string, file: string): void {
  rmSync(join(agentHome, file), { force: true });
}

/** Runs fn at once and gives its result as a promise: a throw becomes the rejection. */
export function runNow<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

/** Copies the environment into a plain string record (execa's env with extendEnv: false). */
export function copyEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** Extracts the first x.y.z version from a CLI's `--version` output. */
export function parseSemver(output: string): string | undefined {
  return /\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\b/.exec(output)?.[1];
}
