import { installRunSettler } from '../runs/run-settler.js';

/**
 * Makes every read of a `running` summary reconcile it (DESIGN §2: any command that reads
 * runs settles a dead dispatcher's run). The reconciler loads only when a running summary
 * is met, so commands that meet none start without it.
 */
export function installLifecycle(): void {
  installRunSettler(async (runDir, summary) => (await import('./reconcile-run.js')).reconcileRun(runDir, summary));
}
