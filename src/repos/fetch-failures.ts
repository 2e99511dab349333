// One dispatch command may ask a remote twice in a row: first for the repo's .dispatch.json
// (before the run exists), then for the run itself. When the first ask fails (a dead remote,
// a timeout), the run must record that failure, not wait out --fetch-timeout a second time.
// A failure is kept for exactly one later ensureMirror of the same mirror in this process.

const remembered = new Map<string, Error>();

/** Keeps `error` for the next ensureMirror of `mirrorPath` (in this process) to throw at once. */
export function rememberFetchFailure(mirrorPath: string, error: Error): void {
  remembered.set(mirrorPath, error);
}

/** The failure kept for `mirrorPath`, once: it is forgotten as it is taken. */
export function takeFetchFailure(mirrorPath: string): Error | undefined {
  const error = remembered.get(mirrorPath);
  remembered.delete(mirrorPath);
  return error;
}
