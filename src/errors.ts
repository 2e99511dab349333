/**
 * Errors users can cause. Only src/cli/main.ts maps them to exit codes and prints them:
 * one line, `error: <what> — <how to fix>`, no stack.
 */
export class DispatchError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(code: string, message: string, exitCode: number, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags or arguments: no run is created (exit 2). */
export class UsageError extends DispatchError {
  constructor(message: string, hint?: string) {
    super('usage', message, 2, hint);
  }
}

/** The repo argument cannot be used (exit 2 for bad input; infra errors use InfraError). */
export class RepoArgError extends DispatchError {
  constructor(message: string, hint?: string) {
    super('repo', message, 2, hint);
  }
}

/** git, disk, unreachable remote (exit 3). */
export class InfraError extends DispatchError {
  constructor(message: string, hint?: string) {
    super('infra', message, 3, hint);
  }
}

/** The agent CLI is not installed (exit 3). */
export class ExecutorNotFoundError extends DispatchError {
  constructor(message: string, hint?: string) {
    super('executor-not-found', message, 3, hint);
  }
}

/** Login missing before a run starts (exit 6). */
export class AuthError extends DispatchError {
  constructor(message: string, hint?: string) {
    super('auth', message, 6, hint);
  }
}

/** Another dispatch holds the lock for the same job (exit 4). */
export class LockHeldError extends DispatchError {
  constructor(message: string, hint?: string) {
    super('lock', message, 4, hint);
  }
}

export function formatErrorLine(err: DispatchError): string {
  return err.hint ? `error: ${err.message} — ${err.hint}` : `error: ${err.message}`;
}

/** A step stopped because its run was cancelled (Ctrl-C, dispatch cancel) before it finished. */
export class CancelledError extends DispatchError {
  constructor(message: string) {
    super('cancelled', message, 130);
  }
}
