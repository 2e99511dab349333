import { installLifecycle } from '../lifecycle/install.js';
import { main } from './main.js';

// No top-level await: the bundle (scripts/bundle.mjs) is CommonJS, loaded by bin/dispatch
// with V8's code cache. main() maps every error to an exit code itself.
installLifecycle();
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
