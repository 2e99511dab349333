import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJson, runCli, testEnv } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

let home: string;
let repo: string;

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-resume-opts-')));
afterEach(() => cleanRunHome(home));

interface Summary {
  run_id: string;
  outcome: string;
  agent: { argv: string[] };
}

const SECRET_TOKEN = 'mcp-token-8f2a9c41d7';
const ENV_VALUE = 'env-value-5be03d6e';

/** A run with every agent option, then `dispatch resume` of it; returns both run dirs. */
async function runThenResume(executor: string, resumeArgs: string[], resumeEnv: Record<string, string | undefined> = { MY_FLAG: 'from-resume-env' }) {
  writeFileSync(join(home, 'mcp.json'), JSON.stringify({ mcpServers: { notes: { command: 'node', args: ['server.mjs'], env: { TOKEN: SECRET_TOKEN } } } }));
  writeFileSync(join(home, 'schema.json'), JSON.stringify({ type: 'object', properties: { done: { type: 'boolean' } } }));
  const first = await runCli(
    ['--quiet', '--executor', executor, '--instructions', 'Keep the diff small', '--reasoning', 'high', '--mcp-config', join(home, 'mcp.json'),
      '--output-schema', join(home, 'schema.json'), `--${executor}-arg=--extra-${executor}`, '--env', `MY_FLAG=${ENV_VALUE}`, repo, 'Create hello.txt'],
    { env: testEnv(home) },
  );
  expect(first.exitCode).toBe(0);
  const parentDir = first.stdout.trim();
  const parent = readJson<Summary>(join(parentDir, 'summary.json'));
  const resumed = await runCli(['resume', '--quiet', ...resumeArgs, parent.run_id, '[scenario:followup] more'], { env: testEnv(home, resumeEnv) });
  return { parentDir, parent, resumed };
}

describe('dispatch resume keeps the agent options', () => {
  it('claude: the same --append-system-prompt, --effort, --mcp-config, --json-schema and extra args; no secret in the run dir', async () => {
    const { parentDir, parent, resumed } = await runThenResume('claude', []);
    expect(resumed.exitCode).toBe(0);
    const child = readJson<Summary>(join(resumed.stdout.trim(), 'summary.json'));
    expect(child.outcome).toBe('success');
    const argv = child.agent.argv;
    expect(argv).toEqual(expect.arrayContaining(['--append-system-prompt', 'Keep the diff small', '--effort', 'high', '--extra-claude']));
    expect(argv.find((arg) => arg.startsWith('--mcp-config='))).toBe(parent.agent.argv.find((arg) => arg.startsWith('--mcp-config=')));
    expect(argv[argv.indexOf('--json-schema') + 1]).toBe(JSON.stringify({ type: 'object', properties: { done: { type: 'boolean' } } }));
    const saved = readFileSync(join(parentDir, 'agent-options.json'), 'utf8');
    expect(JSON.parse(saved)).toMatchObject({ envNames: ['MY_FLAG'], mcpConfigFile: join(home, 'mcp.json'), reasoning: 'high' });
    expect(saved).not.toContain(SECRET_TOKEN);
    expect(saved).not.toContain(ENV_VALUE);
  });

  it('codex: the same developer_instructions and -c values; a flag typed to resume replaces the saved one', async () => {
    const { resumed } = await runThenResume('codex', ['--reasoning', 'low', '--instructions', 'Now write the docs']);
    expect(resumed.exitCode).toBe(0);
    const argv = readJson<Summary>(join(resumed.stdout.trim(), 'summary.json')).agent.argv;
    expect(argv).toEqual(expect.arrayContaining(['-c', 'developer_instructions="Now write the docs"', '-c', 'model_reasoning_effort="low"', '--output-schema', '--extra-codex']));
    expect(argv).not.toContain('model_reasoning_effort="high"');
  });

  it("a saved --env name that is not set now: one line, exit 2, naming how to give it", async () => {
    const { resumed } = await runThenResume('claude', [], { MY_FLAG: undefined });
    expect(resumed.exitCode).toBe(2);
    expect(resumed.stderr.trim()).toMatch(/^error: run \S+ gave its agent MY_FLAG \(--env\), and MY_FLAG is not set now — set it, or give it again: --env MY_FLAG=VALUE$/);
  });
});
