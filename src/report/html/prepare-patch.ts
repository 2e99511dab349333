import type { ShownFile } from './report-input.js';

/** The diff a report hands to diff2html: whole files only, binary payloads left out. */
export interface PreparedPatch {
  text: string;
  files: number;
  /** true when files at the end were left out to keep the report usable */
  cut: boolean;
}

const FILE_HEADER = 'diff --git ';

/**
 * Prepares diff.patch for the page: a patch read in part ends at the last whole file, and a
 * `GIT binary patch` payload (base85, unreadable) becomes git's "Binary files … differ" line. Pure.
 */
export function preparePatch(patch: ShownFile): PreparedPatch {
  let text = patch.text;
  if (patch.cut) {
    const lastFile = text.lastIndexOf(`\n${FILE_HEADER}`);
    text = lastFile === -1 ? '' : text.slice(0, lastFile + 1);
  }
  const lines = text.split('\n');
  const kept: string[] = [];
  let files = 0;
  let path = '';
  let inBinary = false;
  for (const line of lines) {
    if (line.startsWith(FILE_HEADER)) {
      files += 1;
      inBinary = false;
      path = line.slice(FILE_HEADER.length);
    } else if (line === 'GIT binary patch') {
      inBinary = true;
      kept.push(`Binary files ${binaryNames(path)} differ`);
      continue;
    }
    if (!inBinary) kept.push(line);
  }
  return { text: kept.join('\n'), files, cut: patch.cut };
}

// `a/x b/x` as git prints it after "Binary files"; a rename keeps both names.
function binaryNames(header: string): string {
  const split = header.indexOf(' b/');
  return split === -1 ? header : `${header.slice(0, split)} and ${header.slice(split + 1)}`;
}
