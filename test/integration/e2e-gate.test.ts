import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/run-cli.js';
import { decideE2eGate } from '../helpers/e2e-gate.js';

describe('the e2e gate for missing pinned CLIs', () => {
  it('runs when both CLIs are installed, CI or not', () => {
    expect(decideE2eGate([], { CI: 'true' })).toBe('run');
    expect(decideE2eGate([], {})).toBe('run');
  });

  it('skips on a dev machine, fails under CI', () => {
    expect(decideE2eGate(['codex'], {})).toBe('skip');
    expect(decideE2eGate(['codex'], { CI: 'false' })).toBe('skip');
    expect(decideE2eGate(['codex', 'claude'], { CI: 'true' })).toBe('fail');
    expect(decideE2eGate(['claude'], { CI: '1' })).toBe('fail');
  });
});

describe('an e2e suite whose pinned CLI is missing, run by vitest', () => {
  const runFixture = (env: Record<string, string>) =>
    execa(process.execPath, [join(projectRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', join(projectRoot, 'test', 'fixtures', 'ci-gate')], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      extendEnv: false,
      reject: false,
    });

  it('fails the run under CI=true, skips it elsewhere', async () => {
    const ci = await runFixture({ CI: 'true' });
    expect(ci.exitCode).toBe(1);
    expect(ci.stdout).toContain('needs the pinned agent CLIs under CI');
    const dev = await runFixture({});
    expect(dev.exitCode).toBe(0);
    expect(dev.stdout).toMatch(/1 skipped/);
  });
});
