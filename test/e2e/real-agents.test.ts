import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getExecutor } from '../../src/executors/registry.js';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { testedVersionOf } from '../../src/package-info.js';
import { missingPinnedClis, realAgentEnv } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { projectRoot, readJson, runCli } from '../helpers/run-cli.js';
import { browserGate, openReport, requireBrowserUnderCi, saveScreenshot } from '../helpers/report-browser.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

interface Summary {
  run_id: string;
  outcome: string;
  status: string;
  session_id: string | null;
  final_message: string | null;
  usage: { input_tokens: number; output_tokens: number } | null;
  agent: { version: string | null; argv: string[] };
  error: { kind: string; message: string } | null;
  duration_ms: number;
  warnings: string[];
  unknown_events: number;
  workspace: string;
}

let server: ModelServer;
let home: string;
let repo: string;

beforeAll(async () => {
  server = await startModelServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-e2e-')));
afterEach(() => cleanRunHome(home));

async function dispatchReal(agent: string, task: string, args: string[] = [], url = server.url) {
  const env = await realAgentEnv(home, url);
  const result = await runCli(['--quiet', '--executor', agent, ...args, repo, task], { env, timeoutMs: 120_000 });
  const dir = result.stdout.trim();
  return { ...result, dir, summary: readJson<Summary>(join(dir, 'summary.json')), env };
}

describe.skipIf(skipE2eSuite('real-agent e2e tests', missingPinnedClis))('the real pinned CLIs against the scripted model server', () => {
  describe.each(['codex', 'claude'] as const)('%s', (agent) => {
    it('edits files: success, the right diff, tokens, session id, final message, tested version', async () => {
      const run = await dispatchReal(agent, 'Create hello.txt');
      expect(run.exitCode).toBe(0);
      expect(run.summary).toMatchObject({ outcome: 'success', final_message: 'Created hello.txt.', unknown_events: 0, warnings: [] });
      expect(run.summary.session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(run.summary.usage?.input_tokens).toBeGreaterThan(0);
      expect(run.summary.usage?.output_tokens).toBeGreaterThan(0);
      expect(run.summary.agent.version).toBe(testedVersionOf(getExecutor(agent).npmPackage));
      const patch = readFileSync(join(run.dir, 'diff.patch'), 'utf8');
      expect(patch).toContain(`+hello from ${agent}`);
      expect(patch).toContain('diff --git a/README.md b/README.md');
    });

    it("resumes the run's own session in the same worktree", async () => {
      const run = await dispatchReal(agent, 'Create hello.txt');
      const executor = getExecutor(agent);
      const invocation = executor.buildInvocation({
        bin: run.summary.agent.argv[0] ?? '',
        worktree: run.summary.workspace,
        runDir: run.dir,
        agentHome: join(run.dir, 'agent-home'),
        sandbox: 'workspace-write',
        baseEnv: run.env,
        resumeSessionId: run.summary.session_id ?? '',
      });
      const resumed = await execa(invocation.file, invocation.args, {
        cwd: invocation.cwd,
        env: invocation.env,
        extendEnv: false,
        input: '[scenario:noop] Thanks. Anything else?',
        reject: false,
        timeout: 60_000,
      });
      expect(resumed.exitCode).toBe(0);
      const parse = executor.createParser();
      const events = String(resumed.stdout).split('\n').flatMap((line) => parse(line));
      expect(events.find((event) => event.type === 'session.started')).toMatchObject({ session_id: run.summary.session_id });
      expect(events.some((event) => event.type === 'turn.completed')).toBe(true);
    });

    it.each([
      ['http-401', 'auth', 6],
      ['http-429', 'quota', 7],
    ])('%s → %s, exit %i', async (scenario, outcome, code) => {
      const run = await dispatchReal(agent, `[scenario:${scenario}] Create hello.txt`, ['--idle-timeout', '60s']);
      expect(run.summary.outcome).toBe(outcome);
      expect(run.exitCode).toBe(code);
      expect(run.summary.duration_ms).toBeLessThan(30_000);
    });

    it('connection refused → infra, exit 3', async () => {
      const gone = await startModelServer();
      const url = gone.url;
      await gone.close();
      const run = await dispatchReal(agent, 'Create hello.txt', ['--idle-timeout', '60s'], url);
      expect(run.summary).toMatchObject({ outcome: 'infra' });
      expect(run.exitCode).toBe(3);
    });

    it('a model that never answers → idle_timeout, exit 124, nothing left running', async () => {
      const run = await dispatchReal(agent, '[scenario:hang] Create hello.txt', ['--idle-timeout', '3s', '--kill-grace', '1s']);
      expect(run.summary.outcome).toBe('idle_timeout');
      expect(run.exitCode).toBe(124);
    });
  });

  it('codex: a stream cut mid-way is a network failure (infra); claude recovers through its non-streaming retry', async () => {
    const codex = await dispatchReal('codex', '[scenario:cut] Create hello.txt', ['--idle-timeout', '60s']);
    expect(codex.summary.outcome).toBe('infra');
    expect(codex.summary.error?.message).toMatch(/stream disconnected/);
    const claude = await dispatchReal('claude', '[scenario:cut] Create hello.txt', ['--idle-timeout', '60s']);
    expect(claude.summary.outcome).toBe('success');
  });

  it('best-of-N with a check: both agents edit, the one whose check passes wins', async () => {
    const env = await realAgentEnv(home, server.url);
    const result = await runCli(['--json', '--executor', 'both', '--check', 'grep -q claude hello.txt', repo, 'Create hello.txt'], {
      env,
      timeoutMs: 120_000,
    });
    expect(result.exitCode).toBe(0);
    const record = JSON.parse(result.stdout) as { mode: string; winner: string; members: { run_id: string; executor: string; outcome: string }[] };
    expect(record.mode).toBe('best-of-n');
    expect(record.winner).toBe(record.members.find((member) => member.executor === 'claude')?.run_id);
    expect(record.members.map((member) => member.outcome).sort()).toEqual(['check_failed', 'success']);
    await expectHtmlReport(env, record);
  });

  it('race: the faster agent wins, the slower one is cancelled', async () => {
    const env = await realAgentEnv(home, server.url);
    const result = await runCli(
      ['--json', '--executor', 'codex,claude', '--race', '--kill-grace', '1s', repo, '[scenario-claude:hang] Create hello.txt'],
      { env, timeoutMs: 120_000 },
    );
    expect(result.exitCode).toBe(0);
    const record = JSON.parse(result.stdout) as { winner: string; members: { run_id: string; executor: string; outcome: string; error_kind: string | null }[] };
    const [codex, claude] = record.members;
    expect(record.winner).toBe(codex?.run_id);
    expect(claude).toMatchObject({ executor: 'claude', outcome: 'cancelled', error_kind: 'race_lost' });
  });

  it('dispatch demo works on a fresh home', async () => {
    const env = await realAgentEnv(home, server.url);
    const result = await runCli(['demo', '--home', join(home, 'demo-home')], { env, timeoutMs: 180_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^success: codex on sample-repo/m);
    expect(result.stdout).toMatch(/^success: claude on sample-repo/m);
  });

  it('on a codex-only machine, --executor both fails early and clearly; --executor codex works', async () => {
    const install = await codexOnlyInstall(home);
    const env = await realAgentEnv(home, server.url);
    // npm puts this project's node_modules/.bin on PATH for tests: a codex-only machine has no such entry.
    env.PATH = (env.PATH ?? '').split(':').filter((dir) => !dir.includes('node_modules/.bin')).join(':');
    const both = await execa(process.execPath, [join(install, 'bin', 'dispatch'), '--executor', 'both', repo, 'task'], { env, extendEnv: false, reject: false });
    expect(both.exitCode).toBe(3);
    expect(String(both.stderr).trim()).toBe(
      'error: the claude CLI (claude) was not found — install it with `npm install -g @anthropic-ai/claude-code` or set CLAUDE_BIN to its path',
    );
    const codex = await execa(process.execPath, [join(install, 'bin', 'dispatch'), '--quiet', '--executor', 'codex', repo, 'Create hello.txt'], {
      env,
      extendEnv: false,
      reject: false,
    });
    expect(codex.exitCode).toBe(0);
  });
});

/** A copy of this installation whose node_modules lacks the claude CLI (dependencies linked). */
async function codexOnlyInstall(home: string): Promise<string> {
  const install = join(home, 'codex-only');
  const link = (from: string, to: string) => execa('ln', ['-s', from, to]);
  await execa('mkdir', ['-p', join(install, 'node_modules', '.bin')]);
  await execa('cp', ['-r', join(projectRoot, 'dist'), join(projectRoot, 'bin'), join(projectRoot, 'package.json'), install]);
  const modules = join(projectRoot, 'node_modules');
  for (const entry of (await execa('ls', ['-A', modules])).stdout.split('\n')) {
    if (entry === '.bin' || entry === '@anthropic-ai' || entry === '') continue;
    await link(join(modules, entry), join(install, 'node_modules', entry));
  }
  await link(join(modules, '.bin', 'codex'), join(install, 'node_modules', '.bin', 'codex'));
  return install;
}

/** The same group's HTML report, opened in headless chromium: both real runs, the winner, its drawn diff. */
async function expectHtmlReport(env: Record<string, string>, record: { winner: string; members: { run_id: string; executor: string }[] }): Promise<void> {
  const gate = browserGate();
  if (gate === 'skip') return;
  if (gate === 'fail') requireBrowserUnderCi();
  const written = await runCli(['report', 'latest'], { env });
  expect(written.exitCode, written.stderr).toBe(0);
  const report = await openReport(written.stdout.trim());
  try {
    const { page } = report;
    expect(await page.locator('table.members tbody tr').count()).toBe(2);
    expect(await page.locator('tr.winner').getAttribute('data-run-id')).toBe(record.winner);
    expect(await page.locator('svg.timeline g.tl-lane').count()).toBe(2);
    const winner = page.locator(`details.run[data-run-id="${record.winner}"]`);
    expect(await winner.locator('td.d2h-ins .d2h-code-line-ctn').allInnerTexts()).toContain('hello from claude');
    await saveScreenshot(page, 'report-real-agents.png');
    expect(report.errors).toEqual([]);
    expect(report.routed).toEqual([]);
  } finally {
    await report.close();
  }
}
