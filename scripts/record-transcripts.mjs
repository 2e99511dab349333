#!/usr/bin/env node
// Re-records fixture transcripts: runs the pinned codex and claude CLIs (node_modules/.bin)
// against the scripted model server (the built dist/model-server) and writes each run's
// stdout to test/fixtures/transcripts/recorded/<cli>-<scenario>.jsonl. Absolute temp paths
// become /home/user/work/..., and the server's random port becomes 8765, so a re-recording
// only differs where the CLIs' output really changed.
//
// Usage: npm run record-transcripts [-- --out DIR] [-- --only codex|claude] [-- --scenario NAME]
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const serverModule = join(root, 'dist', 'model-server', 'index.js');
if (!existsSync(serverModule)) {
  console.error('error: dist/model-server/index.js is missing — run `npm run build` first');
  process.exit(1);
}
const { startModelServer, codexConfigToml, claudeEnv } = await import(serverModule);

const { values: flags } = parseArgs({
  options: { out: { type: 'string' }, only: { type: 'string' }, scenario: { type: 'string' } },
});
const outDir = resolve(flags.out ?? join(root, 'test', 'fixtures', 'transcripts', 'recorded'));
const BINS = { codex: join(root, 'node_modules', '.bin', 'codex'), claude: join(root, 'node_modules', '.bin', 'claude') };
const SCENARIOS = [
  'edit', 'reasoning', 'plan', 'multi-turn', 'long-command', 'http-401', 'http-429', 'http-529', 'cut', 'resume',
  'rate-limit-brief', 'usage-limit', 'usage-limit-in', 'usage-limit-weekly',
];
// rate-limit-brief: the agents' own retries ride out 4 s of 429s. usage-limit*: claude reads
// the subscription headers only with an OAuth login, so it gets a setup-token instead of a key.
const RETRIES = { 'rate-limit-brief': 6 };
const OAUTH_SCENARIOS = new Set(['usage-limit', 'usage-limit-in', 'usage-limit-weekly']);
// Reset times are printed in the agent's local zone (codex) or with the zone named (claude).
const RECORD_TZ = 'Europe/Berlin';
const RUN_TIMEOUT_MS = 60_000;
const FAKE_ROOT = '/home/user/work';
const FAKE_PORT = '8765';
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Outpost Test',
  GIT_AUTHOR_EMAIL: 'test@outpost.invalid',
  GIT_COMMITTER_NAME: 'Outpost Test',
  GIT_COMMITTER_EMAIL: 'test@outpost.invalid',
  GIT_AUTHOR_DATE: '2024-01-02T03:04:05Z',
  GIT_COMMITTER_DATE: '2024-01-02T03:04:05Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** A temp dir with a git repo (README.md committed on main), a HOME and an agent home. */
async function createSandbox() {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'outpost-rec-')));
  const box = { root: base, repo: join(base, 'repo'), home: join(base, 'home'), agentHome: join(base, 'agent-home') };
  for (const dir of [box.repo, box.home, box.agentHome]) await mkdir(dir);
  const git = (args) => execa('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: box.repo, env: GIT_ENV });
  await git(['init', '--quiet', '--initial-branch=main']);
  await writeFile(join(box.repo, 'README.md'), '# sample\n');
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', 'initial commit']);
  return box;
}

/** Runs one CLI in its own process group; the whole group is stopped after RUN_TIMEOUT_MS. */
async function runInGroup(file, args, { cwd, env, input }) {
  const child = execa(file, args, { cwd, env, extendEnv: false, detached: true, input, reject: false, cleanup: false });
  const stop = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    stop('SIGTERM');
    setTimeout(() => stop('SIGKILL'), 2_000).unref();
  }, RUN_TIMEOUT_MS);
  const result = await child;
  clearTimeout(timer);
  return result;
}

function buildRun(cli, box, url, prompt, { resumeId, extraArgs = [], scenario = '' } = {}) {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: box.home, TZ: RECORD_TZ };
  if (cli === 'codex') {
    const args = [
      'exec', '--json', '-s', 'workspace-write', '-C', box.repo, '--skip-git-repo-check',
      '-o', join(box.root, 'last-message.md'), '--disable', 'plugins', ...extraArgs,
      ...(resumeId ? ['resume', resumeId] : []), '-',
    ];
    return { args, env: { ...base, CODEX_HOME: box.agentHome } };
  }
  const args = [
    '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits', '--allowedTools=Bash',
    ...(resumeId ? ['--resume', resumeId] : []), ...extraArgs,
  ];
  const env = { ...base, CLAUDE_CONFIG_DIR: box.agentHome, ...claudeEnv(url, { apiTimeoutMs: 10_000, retries: RETRIES[scenario] ?? 0 }) };
  if (OAUTH_SCENARIOS.has(scenario)) {
    delete env.ANTHROPIC_API_KEY;
    env.CLAUDE_CODE_OAUTH_TOKEN = 'sk-ant-oat01-outpost-scripted';
  }
  return { args, env };
}

function sessionIdOf(cli, stdout) {
  for (const line of stdout.split('\n')) {
    try {
      const event = JSON.parse(line);
      if (cli === 'codex' && event.type === 'thread.started') return event.thread_id;
      if (cli === 'claude' && typeof event.session_id === 'string') return event.session_id;
    } catch {
      // Not JSON (codex may print notices): skip.
    }
  }
  return undefined;
}

/** Rewrites the temp root (also in claude's dashed project-dir form) and the server port. */
function normalize(text, box, port) {
  const dashed = (path) => path.replace(/[/.]/g, '-');
  return text
    .split(box.root).join(FAKE_ROOT)
    .split(dashed(box.root)).join(dashed(FAKE_ROOT))
    .split(`127.0.0.1:${port}`).join(`127.0.0.1:${FAKE_PORT}`);
}

async function record(cli, scenario, server) {
  const box = await createSandbox();
  try {
    const retries = RETRIES[scenario] ?? 0;
    if (cli === 'codex') await writeFile(join(box.agentHome, 'config.toml'), codexConfigToml(server.url, { streamIdleTimeoutMs: 10_000, retries }));
    const run = (prompt, opts) => {
      const { args, env } = buildRun(cli, box, server.url, prompt, opts);
      return runInGroup(BINS[cli], args, { cwd: box.repo, env, input: prompt });
    };
    let result;
    let note = '';
    if (scenario === 'resume') {
      const first = await run('Create hello.txt [scenario:edit]');
      const resumeId = sessionIdOf(cli, String(first.stdout));
      if (!resumeId) throw new Error(`no session id in the first run (exit ${first.exitCode})`);
      result = await run('Anything else?', { resumeId });
      note = ' (the resumed run; the first run is the edit scenario)';
    } else {
      // codex 0.169 offers update_plan only when told to.
      const extraArgs = cli === 'codex' && scenario === 'plan' ? ['-c', 'tools.update_plan.enabled=true'] : [];
      result = await run(`Create hello.txt [scenario:${scenario}]`, { extraArgs, scenario });
    }
    const stdout = normalize(String(result.stdout), box, server.port);
    const file = join(outDir, `${cli}-${scenario}.jsonl`);
    await writeFile(file, stdout.endsWith('\n') || stdout === '' ? stdout : `${stdout}\n`);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '').length;
    const ending = result.signal ? `signal ${result.signal}` : `exit ${result.exitCode}`;
    const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
    console.log(`${shown}: ${lines} lines, ${ending}, ${Math.round(result.durationMs ?? 0)} ms${note}`);
  } finally {
    await rm(box.root, { recursive: true, force: true });
  }
}

const clis = flags.only ? [flags.only] : ['codex', 'claude'];
for (const cli of clis) {
  if (!BINS[cli] || !existsSync(BINS[cli])) {
    console.error(`error: node_modules/.bin/${cli} is missing — run npm install`);
    process.exitCode = 1;
    continue;
  }
}
if (process.exitCode !== 1) {
  await mkdir(outDir, { recursive: true });
  const server = await startModelServer({ defaultScenario: 'noop' });
  try {
    for (const cli of clis) {
      for (const scenario of flags.scenario ? [flags.scenario] : SCENARIOS) {
        try {
          await record(cli, scenario, server);
        } catch (error) {
          console.error(`${cli}-${scenario}: failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 1;
        }
      }
    }
  } finally {
    await server.close();
  }
}
