import type { Invocation } from '../executors/types.js';
import { startAgentProcess, type AgentProcessResult } from './agent-process.js';
import { lineText } from './line-splitter.js';

export interface ContainedOutput {
  result: AgentProcessResult;
  stdout: string[];
  stderr: string[];
}

/**
 * Runs a short helper command (a CLI's `--version`, `gh`) contained like an agent: its own
 * process group and marker, empty stdin, one time limit, and whatever it leaves behind
 * stopped. Returns its output lines.
 */
export async function runContained(invocation: Invocation, timeoutMs: number, graceMs: number): Promise<ContainedOutput> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const result = await startAgentProcess({
    invocation,
    input: '',
    onStdoutLine: (line) => stdout.push(lineText(line)),
    onStderrLine: (line) => stderr.push(lineText(line)),
    timeoutMs,
    idleTimeoutMs: timeoutMs,
    graceMs,
  }).done;
  return { result, stdout, stderr };
}
