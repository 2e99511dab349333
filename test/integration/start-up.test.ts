import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, testEnv } from '../helpers/run-cli.js';

// What a start loads is what it costs: node:crypto (~4 ms) and node:child_process (with
// node:net, ~3-7 ms) load on first use, so commands that need neither start without them.
let home: string;
let env: Record<string, string>;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'dispatch-start-up-'));
  const probe = join(home, 'loaded-builtins.cjs');
  writeFileSync(probe, "process.on('exit', () => process.stderr.write(`builtins: ${process.moduleLoadList.filter((m) => /^NativeModule (crypto|child_process)$/.test(m)).join(',')}\\n`));\n");
  env = testEnv(home, { NODE_OPTIONS: `--require ${probe}` });
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

const loadedBy = async (args: string[]) => {
  const result = await runCli(args, { env });
  return { exitCode: result.exitCode, stdout: result.stdout, builtins: /^builtins: (.*)$/m.exec(result.stderr)?.[1], errors: result.stderr.split('\n').filter((line) => line.startsWith('error:')) };
};

describe('a start of dispatch', () => {
  it('prints the version, help and run lists without loading node:crypto or node:child_process', async () => {
    expect(await loadedBy(['--version'])).toEqual({ exitCode: 0, stdout: '0.1.0', builtins: '', errors: [] });
    const help = await loadedBy(['--help']);
    expect(help).toMatchObject({ exitCode: 0, builtins: '' });
    expect(help.stdout).toContain('Usage: dispatch [options] [command]');
    expect(await loadedBy(['list'])).toMatchObject({ exitCode: 0, builtins: '' });
  });

  it('still reports a user error of a command whose code loads on use as one line', async () => {
    const cancel = await loadedBy(['cancel', 'no-such-run']);
    expect(cancel.exitCode).toBe(2);
    expect(cancel.errors).toHaveLength(1);
    expect(cancel.errors[0]).toMatch(/no-such-run/);
  });
});
