import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../repos/git.js';

// The demo must work on a machine where git has no identity configured.
const DEMO_IDENTITY = {
  GIT_AUTHOR_NAME: 'Outpost Demo',
  GIT_AUTHOR_EMAIL: 'demo@outpost.invalid',
  GIT_COMMITTER_NAME: 'Outpost Demo',
  GIT_COMMITTER_EMAIL: 'demo@outpost.invalid',
};

const FILES: Record<string, string> = {
  'README.md': '# greeter\n\nA tiny sample project for the Outpost demo.\n',
  'src/greet.js': "export function greet(name) {\n  return `Hello, ${name}!`;\n}\n",
  'package.json': '{\n  "name": "greeter",\n  "version": "1.0.0",\n  "type": "module"\n}\n',
};

/** Creates the demo's sample repository (branch main, one commit) unless it exists. */
export async function ensureDemoRepo(dir: string): Promise<string> {
  if (existsSync(join(dir, '.git'))) return dir;
  await mkdir(join(dir, 'src'), { recursive: true });
  for (const [path, content] of Object.entries(FILES)) await writeFile(join(dir, path), content);
  const opts = { cwd: dir, env: DEMO_IDENTITY };
  await runGit(['init', '-q', '-b', 'main'], opts);
  await runGit(['add', '-A'], opts);
  await runGit(['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'Initial commit'], opts);
  return dir;
}
