import { dirname } from 'node:path';
import { runGit } from './git.js';

/** One file of a patch, as `git apply --numstat` counts it (binary files count 0/0). */
export interface PatchFileStat {
  path: string;
  insertions: number;
  deletions: number;
  binary: boolean;
}

/**
 * Per-file counts of a patch file. Run outside any repository (the ceiling stops git at
 * cwd), since `git apply` in a repository's subdirectory would leave out paths outside it.
 */
export async function statPatchFile(patchPath: string, cwd: string): Promise<PatchFileStat[]> {
  const env = { GIT_CEILING_DIRECTORIES: dirname(cwd) };
  const output = (await runGit(['apply', '--numstat', '-z', '--', patchPath], { cwd, env })).stdout;
  return parseNumstatZ(output);
}

/**
 * `--numstat -z` records: `ins\tdel\tpath\0`, or for a rename `ins\tdel\t\0old\0new\0`. Pure.
 */
export function parseNumstatZ(output: string): PatchFileStat[] {
  const fields = output.split('\0');
  const files: PatchFileStat[] = [];
  for (let index = 0; index < fields.length; index += 1) {
    const match = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(fields[index] ?? '');
    if (!match) continue;
    let path = match[3] ?? '';
    if (path === '') {
      path = `${fields[index + 1] ?? ''} => ${fields[index + 2] ?? ''}`;
      index += 2;
    }
    const binary = match[1] === '-';
    files.push({ path, insertions: binary ? 0 : Number(match[1]), deletions: binary ? 0 : Number(match[2]), binary });
  }
  return files;
}

