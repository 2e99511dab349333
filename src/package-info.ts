import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the folder holding package.json (two levels above dist/x.js or src/x.ts). */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

interface PackageJson {
  version: string;
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as PackageJson;

export const dispatcherVersion: string = pkg.version;

/**
 * The agent CLI versions this release was tested with: the exact pins in package.json,
 * so bumping a CLI is one edit there.
 */
export function testedVersionOf(npmPackage: string): string | null {
  const spec = pkg.optionalDependencies?.[npmPackage] ?? pkg.dependencies?.[npmPackage];
  return spec ? spec.replace(/^[\^~=]/, '') : null;
}
