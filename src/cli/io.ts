import { detectInvocation } from './invocation.js';

/** The process's streams and environment, passed in so tests can run the CLI in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** How the user started dispatch (`dispatch`, `npx dispatch`, `./bin/dispatch`): hints print it. */
  invocation?: string;
}

export function processIo(): CliIo {
  const cwd = process.cwd();
  return {
    // Read only by a task given as `-`: node builds the stream on first access (~2 ms), so not at every start.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout, stderr: process.stderr, env: process.env, cwd,
    invocation: detectInvocation(process.env, process.argv[1], cwd),
  };
}
