import type { MirrorRefs } from './remote-refs.js';

// One dispatch command may fetch a mirror twice in a row: first for the repo's .dispatch.json
// (before the run exists), then for the run itself. What the first fetch found is handed to
// the second, once, in this process: a failure (a dead remote, a timeout) that the run then
// records at once instead of waiting out --fetch-timeout again, the warnings of a mirror
// repair, which belong in the run's summary, and a success: the mirror as that fetch left
// it, which the run starts from without asking the remote again (one round trip less, and
// the run starts from the very commit whose .dispatch.json it was given).

const failures = new Map<string, Error>();
const warnings = new Map<string, string[]>();
const fetched = new Map<string, { refs?: MirrorRefs }>();

/** Keeps `error` for the next ensureMirror of `mirrorPath` (in this process) to throw at once. */
export function rememberFetchFailure(mirrorPath: string, error: Error): void {
  failures.set(mirrorPath, error);
}

/** The failure kept for `mirrorPath`, once: it is forgotten as it is taken. */
export function takeFetchFailure(mirrorPath: string): Error | undefined {
  const error = failures.get(mirrorPath);
  failures.delete(mirrorPath);
  return error;
}

/** Keeps a fetch's warnings (mirror repairs) for the next ensureMirror of `mirrorPath` to report. */
export function rememberMirrorWarnings(mirrorPath: string, found: string[]): void {
  if (found.length > 0) warnings.set(mirrorPath, [...(warnings.get(mirrorPath) ?? []), ...found]);
}

/** The warnings kept for `mirrorPath`, once. */
export function takeMirrorWarnings(mirrorPath: string): string[] {
  const found = warnings.get(mirrorPath) ?? [];
  warnings.delete(mirrorPath);
  return found;
}

/** Keeps a fetch's success for the next ensureMirror of `mirrorPath`: `refs` as ensureMirror returned them (none when it fetched). */
export function rememberFetchedMirror(mirrorPath: string, refs: MirrorRefs | undefined): void {
  fetched.set(mirrorPath, refs ? { refs } : {});
}

/** The success kept for `mirrorPath`, once. */
export function takeFetchedMirror(mirrorPath: string): { refs?: MirrorRefs } | undefined {
  const found = fetched.get(mirrorPath);
  fetched.delete(mirrorPath);
  return found;
}
