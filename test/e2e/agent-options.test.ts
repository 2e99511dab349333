import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { ENV_NAMES_FILE, MCP_CALL_TEXT, STRUCTURED_ANSWER } from '../../src/model-server/tool-calls.js';
import { missingPinnedClis, realAgentEnv } from '../helpers/e2e-env.js';
import { skipE2eSuite } from '../helpers/e2e-gate.js';
import { projectRoot, readJson, runCli } from '../helpers/run-cli.js';
import { cleanRunHome, createRunHome } from '../helpers/sample-repo.js';

interface Summary {
  outcome: string;
  structured_output?: unknown;
  warnings: string[];
  agent: { argv: string[] };
  model: string | null;
}

const MCP_SERVER = join(projectRoot, 'test', 'fixtures', 'mcp-echo-server.mjs');

let server: ModelServer;
let home: string;
let repo: string;

beforeAll(async () => {
  server = await startModelServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => ({ home, repo } = await createRunHome('dispatch-options-e2e-')));
afterEach(() => cleanRunHome(home));

async function dispatchReal(agent: string, task: string, args: string[], extraEnv: Record<string, string> = {}) {
  const env = { ...(await realAgentEnv(home, server.url)), ...extraEnv };
  const result = await runCli(['--quiet', '--executor', agent, ...args, repo, task], { env, timeoutMs: 120_000 });
  const dir = result.stdout.trim();
  if (!existsSync(join(dir, 'summary.json'))) throw new Error(`no run directory: ${result.stderr}`);
  return { ...result, dir, summary: readJson<Summary>(join(dir, 'summary.json')) };
}

function readEvents(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.skipIf(skipE2eSuite('agent options e2e tests', missingPinnedClis))('agent options on the real CLIs, end to end', () => {
  describe.each(['codex', 'claude'] as const)('%s', (agent) => {
    it('--instructions TEXT reaches the model and is kept in task.md', async () => {
      const marker = `Always run the tests (marker ${agent}-${Date.now()})`;
      const seen = server.requests.length;
      const run = await dispatchReal(agent, 'Create hello.txt', ['--instructions', marker]);
      expect(run.summary.outcome).toBe('success');
      const turns = server.requests.slice(seen).filter((request) => request.scenario !== null);
      expect(turns.length).toBeGreaterThan(0);
      expect(turns.every((request) => request.systemText?.includes(marker))).toBe(true);
      expect(readFileSync(join(run.dir, 'task.md'), 'utf8')).toContain(marker);
    });

    it('--mcp-config: the model calls the MCP server through the agent; a tool.call event records it', async () => {
      const log = join(home, `mcp-${agent}.log`);
      const config = join(home, 'mcp.json');
      await writeFile(config, JSON.stringify({ mcpServers: { outpost: { command: process.execPath, args: [MCP_SERVER], env: { MCP_ECHO_LOG: log } } } }));
      const run = await dispatchReal(agent, '[scenario:mcp] Use the echo tool', ['--mcp-config', config]);
      expect(run.summary.outcome).toBe('no_changes');
      expect(readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ tool: 'echo', text: MCP_CALL_TEXT }]);
      const calls = readEvents(run.dir).filter((event) => event.type === 'tool.call');
      expect(calls.at(-1)).toMatchObject({ tool: 'echo', server: 'outpost', status: 'completed' });
    });

    it('--output-schema: the structured answer lands in summary.json, validated', async () => {
      const schema = join(home, 'schema.json');
      await writeFile(schema, JSON.stringify({
        type: 'object',
        properties: { summary: { type: 'string' }, files_changed: { type: 'integer' } },
        required: ['summary', 'files_changed'],
        additionalProperties: false,
      }));
      const run = await dispatchReal(agent, '[scenario:structured] Report what you did', ['--output-schema', schema]);
      expect(run.summary.outcome).toBe('no_changes');
      expect(run.summary.structured_output).toEqual(STRUCTURED_ANSWER);
      expect(run.summary.warnings).toEqual([]);
    });

    it(".dispatch.json's model alias and reasoning, and --codex-arg / --claude-arg, reach the real CLI", async () => {
      const model = agent === 'codex' ? 'outpost-scripted' : 'claude-outpost-scripted';
      await writeFile(join(repo, '.dispatch.json'), JSON.stringify({
        model: 'scripted',
        models: { scripted: { [agent]: model } },
        reasoning: 'high',
        env: ['OUTPOST_PROBE=from-config'],
      }));
      const extra = agent === 'codex' ? ['--codex-arg=-c', '--codex-arg=tools.update_plan.enabled=true'] : ['--claude-arg=--max-turns=8'];
      const run = await dispatchReal(agent, 'Create hello.txt', extra);
      expect(run.summary.outcome).toBe('success');
      expect(run.summary.model).toBe(model);
      const argv = run.summary.agent.argv.join(' ');
      expect(argv).toContain(agent === 'codex' ? '-c model_reasoning_effort="high"' : '--effort high');
      expect(argv).toContain(agent === 'codex' ? `-m ${model}` : `--model ${model}`);
      expect(argv).toContain(extra.map((arg) => arg.replace(/^--\w+-arg=/, '')).join(' '));
    });

    it('--clean-env: the agent still logs in, and its shell gets --env but not the rest of dispatch\'s environment', async () => {
      const run = await dispatchReal(agent, '[scenario:env] List the environment', ['--clean-env', '--env', 'KEEP_ME'], { KEEP_ME: 'kept', NOT_FOR_AGENTS: 'x' });
      expect(run.summary.outcome).toBe('success');
      const names = readFileSync(join(readJson<{ workspace: string }>(join(run.dir, 'summary.json')).workspace, ENV_NAMES_FILE), 'utf8').split('\n');
      expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME', 'KEEP_ME']));
      for (const dropped of ['NOT_FOR_AGENTS', 'DISPATCH_HOME', 'GIT_CONFIG_NOSYSTEM']) expect(names, dropped).not.toContain(dropped);
    });
  });
});
