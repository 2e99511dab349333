import { installLifecycle } from '../lifecycle/install.js';
import { main } from './main.js';

installLifecycle();
process.exitCode = await main(process.argv.slice(2));
