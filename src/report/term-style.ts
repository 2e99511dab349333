/**
 * Terminal styling for the text views: when to colour, a palette that is a no-op when not,
 * and `git diff`-like colouring of a patch. Hand-written SGR codes: four colours do not
 * justify a dependency.
 */

/** A style function wraps text in an SGR sequence (or returns it unchanged without colour). */
export type Style = (text: string) => string;

export interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  green: Style;
  yellow: Style;
  cyan: Style;
}

const SGR = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

/** The palette for colour mode (ANSI escapes) or plain mode (identity functions). */
export function createPalette(color: boolean): Palette {
  const make = ([open, close]: readonly [number, number]): Style =>
    color ? (text) => (text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`) : (text) => text;
  return {
    bold: make(SGR.bold),
    dim: make(SGR.dim),
    red: make(SGR.red),
    green: make(SGR.green),
    yellow: make(SGR.yellow),
    cyan: make(SGR.cyan),
  };
}

/**
 * Colour only on a terminal, never with NO_COLOR set (no-color.org: present and not empty);
 * FORCE_COLOR (not `0`/`false`) turns it on even through a pipe.
 */
export function shouldUseColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

const FILE_HEADER = 'diff --git ';

/**
 * Colours a unified diff as `git diff` does: file headers bold, `@@` cyan, added lines green,
 * removed lines red. Inside a hunk `+++`/`---` are content; binary patch data stays plain.
 */
export function colorizePatch(patch: string, palette: Palette): string {
  let section: 'header' | 'hunk' | 'binary' = 'header';
  const lines = patch.split('\n').map((line) => {
    if (line.startsWith(FILE_HEADER)) {
      section = 'header';
      return palette.bold(line);
    }
    if (section === 'binary') return line;
    if (line.startsWith('@@')) {
      section = 'hunk';
      return palette.cyan(line);
    }
    if (section === 'header') {
      if (line === 'GIT binary patch') section = 'binary';
      return palette.bold(line);
    }
    if (line.startsWith('+')) return palette.green(line);
    if (line.startsWith('-')) return palette.red(line);
    return line;
  });
  return lines.join('\n');
}
