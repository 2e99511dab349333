import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, editDistance, findMistypedCommand } from '../../src/cli/command-suggestion.js';
import { detectInvocation, rewriteHints } from '../../src/cli/invocation.js';
import { createProgram } from '../../src/cli/program.js';
import { shellQuote, renderEnvExports } from '../../src/demo/serve-hints.js';
import { parseExecutorList } from '../../src/executors/registry.js';
import { pickWinner } from '../../src/modes/scoring.js';
import { parseNumstatZ } from '../../src/repos/patch-stat.js';
import { ghRepoOf } from '../../src/repos/pull-request.js';
import { pullRequestTitle } from '../../src/report/pr-body.js';
import { processIo } from '../../src/cli/io.js';

describe('mistyped commands', () => {
  const bare = { hasTask: false, remoteBase: undefined, isPath: false };

  it('knows every command of the program', () => {
    const names = createProgram(processIo(), () => undefined).commands.map((command) => command.name()).filter((name) => name !== 'run');
    expect([...names].sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('suggests the nearest command for a word a typo or two away', () => {
    expect(findMistypedCommand('lst', bare)).toBe('list');
    expect(findMistypedCommand('shwo', bare)).toBe('show');
    expect(findMistypedCommand('dokter', bare)).toBe('doctor');
    expect(findMistypedCommand('prnue', bare)).toBe('prune');
    expect(editDistance('resmue', 'resume')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('leaves real repo names alone: far from any command, a path, or a task with DISPATCH_REMOTE_BASE', () => {
    expect(findMistypedCommand('myapp', bare)).toBeNull();
    expect(findMistypedCommand('lst', { ...bare, isPath: true })).toBeNull();
    expect(findMistypedCommand('lst', { hasTask: true, remoteBase: 'git@github.com:acme/', isPath: false })).toBeNull();
    expect(findMistypedCommand('lst', { hasTask: true, remoteBase: undefined, isPath: false })).toBe('list');
  });
});

describe('how dispatch was invoked', () => {
  it('npx, the bin on PATH, or the path that was run', () => {
    expect(detectInvocation({ npm_command: 'exec' }, '/x/bin/dispatch', '/x')).toBe('npx dispatch');
    expect(detectInvocation({ PATH: '/nowhere' }, '/x/bin/dispatch', '/x')).toBe('./bin/dispatch');
    expect(detectInvocation({ PATH: '/nowhere' }, '/x/bin/dispatch', '/elsewhere')).toBe('/x/bin/dispatch');
  });

  it('rewrites the backticked hints', () => {
    expect(rewriteHints('error: x — see `dispatch list`, or pass --home', 'npx dispatch')).toBe('error: x — see `npx dispatch list`, or pass --home');
    expect(rewriteHints('see `dispatch list`', 'dispatch')).toBe('see `dispatch list`');
  });
});

describe('--executor lists', () => {
  it('expands both inside a list and names the unknown executor', () => {
    expect(parseExecutorList('both')).toEqual(['codex', 'claude']);
    expect(parseExecutorList('claude,both')).toEqual(['claude', 'codex']);
    expect(() => parseExecutorList('both,gemini')).toThrow("unknown executor 'gemini'");
  });
});

describe('winner reasons', () => {
  it('never print a tie: durations that round alike get milliseconds', () => {
    const base = { outcome: 'success', checkPassed: true, patch: '', linesChanged: 3 };
    const decision = pickWinner([
      { ...base, runId: 'a', durationMs: 3_512 },
      { ...base, runId: 'b', durationMs: 3_547 },
    ]);
    expect(decision.reason).toBe('tie on check, agreement and diff size; fastest (3.512s vs 3.547s)');
  });
});

describe('delivery helpers', () => {
  it('gh --repo from remote URLs', () => {
    expect(ghRepoOf('https://github.com/acme/app.git')).toBe('github.com/acme/app');
    expect(ghRepoOf('git@github.com:acme/app.git')).toBe('github.com/acme/app');
    expect(ghRepoOf('ssh://git@ghe.example.com:2222/acme/app')).toBe('ghe.example.com/acme/app');
    expect(ghRepoOf('https://user:token@github.com/acme/app')).toBe('github.com/acme/app');
    expect(ghRepoOf('/srv/git/app.git')).toBeNull();
  });

  it('pull request title: the first line of the task, cut to 72 characters', () => {
    expect(pullRequestTitle('Fix the flaky date test\n\nIt fails on Mondays.')).toBe('Fix the flaky date test');
    expect(pullRequestTitle('x'.repeat(100))).toBe(`${'x'.repeat(69)}...`);
    expect(pullRequestTitle('  \n')).toBe('dispatch result');
  });

  it('numstat -z: plain files, binary files and renames', () => {
    expect(parseNumstatZ('3\t1\tsrc/a.js\0-\t-\tlogo.png\0' + '0\t0\t\0old.txt\0new.txt\0')).toEqual([
      { path: 'src/a.js', insertions: 3, deletions: 1, binary: false },
      { path: 'logo.png', insertions: 0, deletions: 0, binary: true },
      { path: 'old.txt => new.txt', insertions: 0, deletions: 0, binary: false },
    ]);
  });

  it('env exports are quoted for a shell', () => {
    expect(shellQuote('/tmp/a b')).toBe("'/tmp/a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(renderEnvExports({ A: 'http://127.0.0.1:1', B: '/x y' })).toBe("export A=http://127.0.0.1:1\nexport B='/x y'\n");
  });
});
