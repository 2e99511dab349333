import type { createLogUpdate } from 'log-update';

// log-update and its terminal-width helpers are loaded only where a live view is drawn:
// a run writing to a file, a pipe or nowhere (--quiet, cron) does not pay for them, nor
// any other command (they are a bundle of their own, outside the CLI's code cache).

type CreateLogUpdate = typeof createLogUpdate;

let loaded: CreateLogUpdate | undefined;

/** Loads log-update once; call it before creating a live progress view. */
export async function loadLiveLog(): Promise<void> {
  loaded ??= (await import('./log-update-lib.js')).createLogUpdate;
}

/** The loaded createLogUpdate; throws when loadLiveLog() was not awaited first. */
export function liveLog(): CreateLogUpdate {
  if (!loaded) throw new Error('the live progress view needs loadLiveLog() first');
  return loaded;
}
