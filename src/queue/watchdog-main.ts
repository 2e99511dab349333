import { reconcileWorkerRuns } from './worker-watchdog.js';

// Entry of a worker's watchdog (worker-watchdog.ts): waits for the worker's pipe to close.
const [runsDir, pid] = process.argv.slice(2);
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.stdin.resume();
process.stdin.on('close', () => {
  void reconcileWorkerRuns(runsDir ?? '', Number(pid)).finally(() => process.exit(0));
});
