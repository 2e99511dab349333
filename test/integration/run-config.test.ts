import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome, git } from '../helpers/sample-repo.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-config-')));
afterEach(() => cleanRunHome(home));

interface ConfigJson {
  files: Array<{ kind: string; path: string }>;
  settings: Record<string, { value: unknown; sources: string[] }>;
}

describe('config files through the CLI', () => {
  it('dispatch config --json: each setting with where it came from (defaults < home < repo < env)', async () => {
    writeFileSync(join(home, 'dispatch.config.json'), JSON.stringify({ timeout: '2h', executor: 'claude', sandbox: 'full' }));
    writeFileSync(join(repo, '.dispatch.json'), JSON.stringify({ timeout: '30m', model: 'fast' }));
    const result = await runCli(['config', '--json', repo], { env: testEnv(home, { DISPATCH_SANDBOX: 'read-only' }) });
    expect(result.exitCode).toBe(0);
    const config = JSON.parse(result.stdout) as ConfigJson;
    expect(config.files.map((file) => file.kind)).toEqual(['home', 'repo']);
    expect(config.settings).toMatchObject({
      executor: { value: 'claude', sources: [`home config ${join(home, 'dispatch.config.json')}`] },
      timeout: { value: '30m', sources: [`repo config ${join(repo, '.dispatch.json')}`] },
      sandbox: { value: 'read-only', sources: ['env DISPATCH_SANDBOX'] },
      idleTimeout: { value: '15m', sources: ['default'] },
      model: { value: 'fast' },
    });
    const text = await runCli(['config', repo], { env: testEnv(home) });
    expect(text.stdout).toMatch(/^timeout\s+30m\s+\(repo config .*\.dispatch\.json\)$/m);
  });

  it('every problem in both files at once, one line, exit 2, no run created', async () => {
    writeFileSync(join(home, 'dispatch.config.json'), '{"timeout": 5}');
    writeFileSync(join(repo, '.dispatch.json'), '{"reasoning": "max", "mcpConfig": "/etc/mcp.json"}');
    const result = await runCli([repo, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: invalid config: .*dispatch\.config\.json: timeout: .*\.dispatch\.json: reasoning: .*\.dispatch\.json: mcpConfig: a repo's config can only name files inside the repo/);
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it("a run takes the repo's defaults; a typed flag beats them", async () => {
    writeFileSync(join(repo, 'rules.md'), 'Always run the tests.');
    writeFileSync(join(repo, '.dispatch.json'), JSON.stringify({ executor: 'claude', instructions: '@rules.md', reasoning: 'low', idleTimeout: '1s' }));
    const result = await runCli(['--quiet', '--idle-timeout', '2m', repo, 'Create hello.txt'], { env: testEnv(home) });
    expect(result.exitCode).toBe(0);
    const dir = result.stdout.trim();
    const summary = readJson<{ executor: string; agent: { argv: string[] } }>(join(dir, 'summary.json'));
    expect(summary.executor).toBe('claude');
    expect(summary.agent.argv).toEqual(expect.arrayContaining(['--append-system-prompt', 'Always run the tests.', '--effort', 'low']));
    expect(readFileSync(join(dir, 'task.md'), 'utf8')).toContain('Always run the tests.');
  });

  it('--instructions TEXT works (it used to be read as a file name)', async () => {
    const result = await runCli(['--quiet', '--instructions', 'Always run the tests', repo, 'Create hello.txt'], { env: testEnv(home) });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(result.stdout.trim(), 'task.md'), 'utf8')).toContain('Always run the tests');
  });
});

describe("a remote repository's .dispatch.json", () => {
  /** A bare copy of the sample repo, with a .dispatch.json (and the file it names) committed, as a file:// remote. */
  function publishWithConfig(config: object): { url: string; sha: string } {
    writeFileSync(join(repo, 'rules.md'), 'Remote rules: run the tests.');
    writeFileSync(join(repo, '.dispatch.json'), JSON.stringify(config));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'dispatch config');
    const bare = join(home, 'served.git');
    git(home, 'clone', '-q', '--bare', repo, bare);
    // Gone from the working tree: only the commit holds them.
    rmSync(join(repo, '.dispatch.json'));
    rmSync(join(repo, 'rules.md'));
    return { url: `file://${bare}`, sha: git(bare, 'rev-parse', 'main') };
  }

  it('is read from the commit the run starts from, shown by dispatch config, and used by the run', async () => {
    const { url, sha } = publishWithConfig({ executor: 'claude', instructions: '@rules.md', reasoning: 'low' });
    const shown = await runCli(['config', '--json', url], { env: testEnv(home) });
    expect(shown.exitCode).toBe(0);
    const config = JSON.parse(shown.stdout) as ConfigJson;
    const source = `${url}@${sha.slice(0, 12)}:.dispatch.json`;
    expect(config.files).toEqual([{ kind: 'repo', path: source }]);
    expect(config.settings.executor).toEqual({ value: 'claude', sources: [`repo config ${source}`] });

    const result = await runCli(['--quiet', url, 'Create hello.txt'], { env: testEnv(home) });
    expect(result.exitCode).toBe(0);
    const dir = result.stdout.trim();
    const summary = readJson<{ executor: string; agent: { argv: string[] } }>(join(dir, 'summary.json'));
    expect(summary.executor).toBe('claude');
    expect(summary.agent.argv).toEqual(expect.arrayContaining(['--append-system-prompt', 'Remote rules: run the tests.', '--effort', 'low']));
  });

  it('is validated like a local one: a path outside the repo is exit 2 with the commit named, no run', async () => {
    const { url, sha } = publishWithConfig({ mcpConfig: '../../etc/mcp.json', reasoning: 'max' });
    const result = await runCli([url, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${url}@${sha.slice(0, 12)}:.dispatch.json: reasoning:`);
    expect(result.stderr).toContain("mcpConfig: a repo's config can only name files inside the repo");
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });

  it('a file it names that the commit lacks is exit 2 (dispatch config says so too)', async () => {
    const { url } = publishWithConfig({ outputSchema: 'schemas/missing.json' });
    const result = await runCli(['config', url], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: invalid config: .*:\.dispatch\.json: outputSchema: schemas\/missing\.json is not a file in that commit — /);
  });
});

describe('agent options and --queue', () => {
  it('an option a queued job does not carry is refused (exit 2, no run), not silently dropped', async () => {
    writeFileSync(join(repo, '.dispatch.json'), JSON.stringify({ reasoning: 'high' }));
    // Nothing listens on port 9: the refusal comes before any connection.
    const result = await runCli(['--queue', 'redis://127.0.0.1:9', '--codex-arg', '--foo', repo, 'task'], { env: testEnv(home) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: --reasoning, --codex-arg\/--claude-arg do not go with --queue yet .* — run it without --queue/m);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(home, 'runs'))).toBe(false);
  });
});
