#!/usr/bin/env node
// Build step after tsc: bundles the CLI (dist/cli/entry.js and everything it imports) into one
// CommonJS file, dist/dispatch.cjs, that bin/dispatch compiles with V8's code cache. One file
// because node 20's ES module loader costs about a millisecond per module, and a run needed
// 65 chunks; CommonJS because node 20 can cache compiled code only for a vm.Script.
// The big libraries only some commands need (the queue's bullmq and ioredis, zod, ajv,
// toml-patch, execa for doctor and report --open, log-update for a terminal's live view)
// are bundles of their own under dist/vendor/, required when first used: one copy of each,
// none of our code in them, so no module state is ever duplicated. What stays in the CLI's
// bundle costs every start: V8 reads back a code cache entry for each of its functions
// (execa's 215 KB were ~6 ms of `dispatch --version`).
// dist/ stays at depth one below the package root, as package-info.ts expects.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
for (const name of readdirSync(dist)) if (/^(dispatch\.(c?js|cjs\.id)|watchdog-main\.js|chunk-[A-Z0-9]+\.js)$/.test(name)) rmSync(join(dist, name));
rmSync(join(dist, 'vendor'), { recursive: true, force: true });

// Libraries with a bundle of their own: file name → what our code imports from it. bullmq
// and ioredis share one (bullmq takes the ioredis connections our code makes): each of
// them is a two-line file picking its part.
const vendorBundles = {
  'queue-libs': ['bullmq', 'ioredis'],
  zod: ['zod'],
  ajv: ['ajv'],
  'ajv-2020': ['ajv/dist/2020.js'],
  'toml-patch': ['@decimalturn/toml-patch'],
  execa: ['execa'],
  'log-update': ['log-update'],
};
const vendorFile = new Map(Object.entries(vendorBundles).flatMap(([bundle, specifiers]) => specifiers.map((specifier) => [specifier, specifiers.length > 1 ? specifier : bundle])));

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // No comments, no indentation: a third of the bytes to read at every start, and only ASCII
  // (esbuild escapes the rest; comments were the one place left), which bin/dispatch reads
  // as latin1 into a one-byte string (node decodes UTF-8 with non-ASCII in it 6× slower).
  // Names stay, so stacks still say where.
  minifyWhitespace: true,
  charset: 'ascii',
  // import.meta.url of every bundled module is the bundle's own file URL (package-info.ts finds
  // the package root from it, assets.ts and worker-watchdog.ts the files beside dist/).
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const vendorPlugin = {
  name: 'vendor',
  setup(builder) {
    builder.onResolve({ filter: /^[@a-z]/ }, (args) => (vendorFile.has(args.path) ? { path: `./vendor/${vendorFile.get(args.path)}.cjs`, external: true } : undefined));
  },
};

// commander requires node:child_process (and with it node:net, ~7 ms) as it loads, for
// subcommands that are executables of their own, which dispatch has none of: the bundle
// requires it on first use instead. A commander whose line differs fails the build.
const commanderChildProcess = "const childProcess = require('node:child_process');";
const lazyCommanderPlugin = {
  name: 'lazy-commander-child-process',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(commanderChildProcess)) throw new Error(`${args.path} no longer holds ${commanderChildProcess}: update scripts/bundle.mjs`);
      return { contents: text.replace(commanderChildProcess, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: 'js' };
    });
  },
};

await build({ ...common, entryPoints: [join(dist, 'cli', 'entry.js')], outfile: join(dist, 'dispatch.cjs'), plugins: [vendorPlugin, lazyCommanderPlugin] });

mkdirSync(join(dist, 'vendor'));
for (const [bundle, specifiers] of Object.entries(vendorBundles)) {
  const shared = specifiers.length > 1;
  const contents = shared
    ? `module.exports = { ${specifiers.map((specifier) => `${JSON.stringify(specifier)}: require(${JSON.stringify(specifier)})`).join(', ')} };\n`
    : `module.exports = require(${JSON.stringify(specifiers[0])});\n`;
  await build({ ...common, stdin: { contents, resolveDir: root, loader: 'js' }, outfile: join(dist, 'vendor', `${bundle}.cjs`) });
  if (shared) for (const specifier of specifiers) writeFileSync(join(dist, 'vendor', `${specifier}.cjs`), `module.exports = require('./${bundle}.cjs')[${JSON.stringify(specifier)}];\n`);
}

// A worker's watchdog is its own node process, started from the file beside the bundle
// (new URL('./watchdog-main.js', import.meta.url)): a bundle of its own, all inlined.
await build({ ...common, format: 'esm', define: {}, banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" }, entryPoints: [join(dist, 'queue', 'watchdog-main.js')], outfile: join(dist, 'watchdog-main.js') });

// A vm.Script has no loader for import(): the bundle must hold none.
const bundled = readFileSync(join(dist, 'dispatch.cjs'), 'utf8');
const leftover = bundled.match(/[^\w$.]import\(\s*["'`][^"'`]*/);
if (leftover) throw new Error(`dist/dispatch.cjs still holds a dynamic ${leftover[0].trim()}: import it statically (bin/dispatch runs the bundle as a vm.Script)`);

if (/[^\x00-\x7f]/.test(bundled)) throw new Error('dist/dispatch.cjs holds a character beyond ASCII: bin/dispatch reads it as latin1');

// What bin/dispatch names its code cache by: the bundle's content, not its size or mtime.
writeFileSync(join(dist, 'dispatch.cjs.id'), `${createHash('sha256').update(bundled).digest('hex').slice(0, 32)}\n`);
