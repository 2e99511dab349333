#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/cli/entry.js and everything it imports,
// dependencies included) into dist/dispatch.js plus lazily loaded chunks beside it, so a
// start-up resolves and reads a handful of files instead of ~200. bin/dispatch loads it.
// dist/ stays at depth one below the package root, as package-info.ts expects.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
for (const name of readdirSync(dist)) if (/^(dispatch|watchdog-main|chunk-[A-Z0-9]+)\.js$/.test(name)) rmSync(join(dist, name));

await build({
  // A worker's watchdog is started as its own node process from the file beside the code that
  // spawns it (new URL('./watchdog-main.js', import.meta.url)): one more entry point.
  entryPoints: { dispatch: join(dist, 'cli', 'entry.js'), 'watchdog-main': join(dist, 'queue', 'watchdog-main.js') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  // commander is CommonJS: its require() calls need a real require in an ES module.
  banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
  logLevel: 'warning',
});
