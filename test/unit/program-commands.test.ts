import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { commandsReached, createProgram } from '../../src/cli/program.js';

/** What commander does with argv: the command whose action it calls (with what), or what it prints and throws. */
async function parseWith(argv: string[], build: 'all' | 'for-argv'): Promise<{ action: unknown; stdout: string; stderr: string; thrown: string | null }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: {}, cwd: '/', invocation: 'dispatch' };
  const program = createProgram(io, () => undefined, build === 'all' ? undefined : argv);
  let action: unknown = null;
  for (const command of program.commands) {
    command.action((...args: unknown[]) => {
      const self = args.at(-1) as Command;
      action = { command: self.name(), args: self.processedArgs, opts: self.opts() };
    });
  }
  let thrown: string | null = null;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    thrown = `${(error as { code?: string }).code} ${(error as { exitCode?: number }).exitCode}`;
  }
  return { action, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? ''), thrown };
}

describe('the program builds only the commands its arguments reach', () => {
  it('names the command a first word selects, run for anything else, none for the version, all for help', () => {
    expect(commandsReached(['list', '--json'])).toEqual(['list']);
    expect(commandsReached(['config', 'get', 'x'])).toEqual(['config']);
    expect(commandsReached(['./repo', 'fix it'])).toEqual(['run']);
    expect(commandsReached(['--quiet', 'list', 'task'])).toEqual(['run']);
    expect(commandsReached(['run', 'repo', 'task'])).toEqual(['run']);
    expect(commandsReached(['--version'])).toEqual([]);
    expect(commandsReached(['-Vq'])).toEqual([]);
    expect(commandsReached(['-qV'])).toEqual(['run']);
    expect(commandsReached([])).toBe('all');
    expect(commandsReached(['help', 'list'])).toBe('all');
    expect(commandsReached(['list', '--help'])).toBe('all');
    expect(commandsReached(['-h'])).toBe('all');
    expect(commandsReached(['--', 'list'])).toBe('all');
  });

  // Every way commander can route arguments: the reduced program must do exactly what the full one does.
  const cases: string[][] = [
    ['--version'], ['-V'], ['list', '-V'], ['--help'], ['-h'], ['help'], ['help', 'list'], ['help', 'nosuch'], [],
    ['list'], ['list', '--json', '--limit', '3'], ['list', '--bogus'], ['show', 'some-run'], ['config', '--help'],
    ['worker', '--help'], ['./repo', 'fix', 'it'], ['repo', 'task', '-q', '--json'], ['--quiet', 'list', 'task'],
    ['-q', 'repo', 'x'], ['run', 'repo', 'x', '-n', '2'], ['run'], ['--bogus'], ['repo', 'x', '--bogus'], ['lst'],
    ['--', 'list'], ['-qh'], ['-Vq'], ['-qV'], ['--version', 'list'], ['--version=2'], ['-V', '--bogus'], ['repo', '--executor', 'nosuch', 'x'], ['repo', '--sandbox', 'bad', 'x'],
  ];
  it.each(cases.map((argv) => [argv.join(' ') || '(no arguments)', argv] as const))('routes `%s` exactly as the program with every command does', async (_name, argv) => {
    expect(await parseWith(argv, 'for-argv')).toEqual(await parseWith(argv, 'all'));
  });

  it('keeps the program help listing every command', async () => {
    const help = (await parseWith(['--help'], 'for-argv')).stdout;
    for (const name of ['run', 'list', 'show', 'logs', 'diff', 'compare', 'report', 'resume', 'cancel', 'prune', 'doctor', 'config', 'demo', 'worker']) {
      expect(help).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });
});
