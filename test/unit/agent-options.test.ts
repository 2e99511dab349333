import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvFlags, readInstructions, resolveModelAlias, DEFAULT_MODEL_ALIASES } from '../../src/cli/agent-options.js';
import { parseMcpConfig } from '../../src/cli/mcp-config-file.js';
import { UsageError } from '../../src/errors.js';
import { agentOptionsFor, buildAgentEnv, type AgentOptions } from '../../src/executors/agent-options.js';
import { parseCodexConfig } from '../../src/executors/codex-config.js';
import { mergeCodexConfig } from '../../src/executors/codex-config-edit.js';
import { readCodexProvider } from '../../src/executors/codex-login.js';
import { getExecutor } from '../../src/executors/registry.js';
import type { InvocationRequest } from '../../src/executors/types.js';
import { codexConfigToml } from '../../src/model-server/cli-config.js';
import { checkStructuredOutput } from '../../src/runs/structured-output.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-agent-options-'));
  dirs.push(dir);
  return dir;
}

const SCHEMA = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
const MCP = { outpost: { command: 'node', args: ['server.mjs'], env: { TOKEN: 'sekret' } } };

function request(agent: AgentOptions, extra: Partial<InvocationRequest> = {}): InvocationRequest {
  return { bin: '/bin/agent', worktree: '/w', runDir: '/r', agentHome: '/r/agent-home', sandbox: 'workspace-write', baseEnv: { PATH: '/bin' }, agent, ...extra };
}

describe('codex invocation per option', () => {
  const build = (agent: AgentOptions, extra?: Partial<InvocationRequest>) => getExecutor('codex').buildInvocation(request(agent, extra)).args;

  it('reasoning → -c model_reasoning_effort, output schema → --output-schema FILE, instructions → developer_instructions', () => {
    const args = build({ reasoning: 'high', outputSchema: SCHEMA }, { instructions: 'Always "run" the tests' });
    expect(args.join(' ')).toContain('-c model_reasoning_effort="high"');
    expect(args.join(' ')).toContain('--output-schema /r/agent-home/output-schema.json');
    expect(args).toContain('developer_instructions="Always \\"run\\" the tests"');
  });

  it('--codex-arg comes before the prompt marker, and before `resume`', () => {
    expect(build({ extraArgs: ['-c', 'x=1'] }).slice(-3)).toEqual(['-c', 'x=1', '-']);
    expect(build({ extraArgs: ['--ephemeral'] }, { resumeSessionId: 'T1' }).slice(-4)).toEqual(['--ephemeral', 'resume', 'T1', '-']);
  });

  it('MCP servers never reach argv (their env may hold keys)', () => {
    expect(build({ mcpServers: MCP }).join(' ')).not.toContain('sekret');
  });
});

describe('claude invocation per option', () => {
  const build = (agent: AgentOptions, extra?: Partial<InvocationRequest>) => getExecutor('claude').buildInvocation(request(agent, extra)).args;

  it('reasoning → --effort, MCP → --mcp-config=FILE with the servers allowed, schema → --json-schema', () => {
    const args = build({ reasoning: 'low', mcpServers: MCP, outputSchema: SCHEMA, extraArgs: ['--max-turns=3'] }, { instructions: 'Be brief' });
    expect(args).toEqual(expect.arrayContaining(['--effort', 'low', '--mcp-config=/r/agent-home/mcp-servers.json', '--allowedTools=mcp__outpost', '--append-system-prompt', 'Be brief']));
    expect(args[args.indexOf('--json-schema') + 1]).toBe(JSON.stringify(SCHEMA));
    expect(args.at(-1)).toBe('--max-turns=3');
    expect(args.join(' ')).not.toContain('sekret');
  });

  it('with --sandbox full every tool is allowed already: no --allowedTools for MCP', () => {
    expect(build({ mcpServers: MCP }, { sandbox: 'full' }).some((arg) => arg.startsWith('--allowedTools'))).toBe(false);
  });
});

describe("run config in the run's agent home", () => {
  it("codex: mcp_servers.* are merged into the run's config.toml; comments, profiles and nested tables survive", async () => {
    const home = tempDir();
    const original = [
      '# my settings',
      'model = "gpt-5.5" # the usual one',
      'profile = "work"',
      '',
      '[profiles.work]',
      'model_provider = "corp"',
      '',
      '[model_providers.corp]',
      'name = "corp"',
      'env_key = "CORP_KEY"',
      '',
      '[mcp_servers.docs]',
      'command = "docs-mcp"',
      '',
    ].join('\n');
    writeFileSync(join(home, 'config.toml'), original);
    await getExecutor('codex').writeRunConfig(home, { mcpServers: MCP, outputSchema: SCHEMA });
    const text = readFileSync(join(home, 'config.toml'), 'utf8');
    // Every line of the user's file is still there, in order (comments included).
    const lines = text.split('\n');
    let at = -1;
    for (const line of original.split('\n').filter(Boolean)) {
      at = lines.indexOf(line, at + 1);
      expect(at, line).toBeGreaterThanOrEqual(0);
    }
    const parsed = parseCodexConfig(text);
    expect(parsed.profiles).toEqual({ work: { model_provider: 'corp' } });
    expect(parsed.mcp_servers).toEqual({
      docs: { command: 'docs-mcp' },
      outpost: { command: 'node', args: ['server.mjs'], env: { TOKEN: 'sekret' }, default_tools_approval_mode: 'approve' },
    });
    expect(JSON.parse(readFileSync(join(home, 'output-schema.json'), 'utf8'))).toEqual(SCHEMA);
  });

  it('claude: the servers go to mcp-servers.json as {"mcpServers": …}', async () => {
    const home = tempDir();
    await getExecutor('claude').writeRunConfig(home, { mcpServers: MCP });
    expect(JSON.parse(readFileSync(join(home, 'mcp-servers.json'), 'utf8'))).toEqual({ mcpServers: MCP });
  });

  it('merging into an empty config.toml writes a valid one', () => {
    expect(parseCodexConfig(mergeCodexConfig('', { mcp_servers: { a: { command: 'x' } } }))).toEqual({ mcp_servers: { a: { command: 'x' } } });
  });
});

describe("codex's login settings are read with a TOML parser", () => {
  it('follows the selected profile to its provider, and only that provider counts', () => {
    const home = tempDir();
    writeFileSync(join(home, 'config.toml'), [
      'profile = "corp"',
      'cli_auth_credentials_store = "file"',
      '[profiles.corp]',
      'model_provider = "corp"',
      '[model_providers.other]',
      'env_key = "OTHER_KEY"',
      'requires_openai_auth = true',
      '[model_providers.corp]',
      "env_key = 'CORP_KEY' # single-quoted",
    ].join('\n'));
    expect(readCodexProvider(join(home, 'config.toml'))).toEqual({ custom: true, envKey: 'CORP_KEY', openaiAuth: false, store: 'file' });
  });

  it('the scripted server config round-trips through the parser', () => {
    const parsed = parseCodexConfig(codexConfigToml('http://127.0.0.1:9/', { chatgptLogin: true, retries: 2 }));
    expect(parsed).toMatchObject({
      model_provider: 'outpost',
      chatgpt_base_url: 'http://127.0.0.1:9/backend-api/',
      features: { plugins: false },
      model_providers: { outpost: { base_url: 'http://127.0.0.1:9/v1', request_max_retries: 2, requires_openai_auth: true } },
    });
  });
});

describe('agent environment', () => {
  const env = { PATH: '/bin', HOME: '/h', LC_ALL: 'C', OPENAI_API_KEY: 'k', AWS_SECRET: 's', FOO: 'dispatch-foo' };

  it('--clean-env keeps PATH, HOME, locale, login variables and --env only', () => {
    expect(buildAgentEnv(env, { cleanEnv: true, env: { EXTRA: '1' } }, ['OPENAI_API_KEY'])).toEqual({ PATH: '/bin', HOME: '/h', LC_ALL: 'C', OPENAI_API_KEY: 'k', EXTRA: '1' });
  });

  it('without --clean-env, --env adds to (and overrides) the environment', () => {
    expect(buildAgentEnv(env, { env: { FOO: 'mine' } }, [])).toEqual({ ...env, FOO: 'mine' });
    expect(buildAgentEnv(env, undefined, [])).toBe(env);
  });

  it('--env KEY takes the value from dispatch; an unset KEY or a bad name is a usage error', () => {
    expect(parseEnvFlags(['FOO', 'BAR=x=y', 'EMPTY='], env)).toEqual({ FOO: 'dispatch-foo', BAR: 'x=y', EMPTY: '' });
    expect(() => parseEnvFlags(['NOPE'], env)).toThrow(UsageError);
    expect(() => parseEnvFlags(['1BAD=x'], env)).toThrow(/invalid --env/);
  });
});

describe('option values', () => {
  it('--instructions: text, @FILE, or (as before) an existing file', async () => {
    const dir = tempDir();
    const file = join(dir, 'rules.md');
    writeFileSync(file, 'From the file');
    expect(await readInstructions('Always run the tests')).toBe('Always run the tests');
    expect(await readInstructions(`@${file}`)).toBe('From the file');
    expect(await readInstructions(file)).toBe('From the file');
    await expect(readInstructions(`@${dir}/missing.md`)).rejects.toThrow(/cannot read --instructions .*no such file/);
  });

  it('model aliases map per executor; other names pass through', () => {
    expect(resolveModelAlias('fast', DEFAULT_MODEL_ALIASES)).toEqual({ codex: 'gpt-6-luna', claude: 'haiku' });
    expect(resolveModelAlias('deep', { ...DEFAULT_MODEL_ALIASES, deep: { claude: 'opus' } })).toEqual({ codex: 'deep', claude: 'opus' });
    expect(resolveModelAlias('gpt-5.5', DEFAULT_MODEL_ALIASES)).toBeUndefined();
    expect(agentOptionsFor({ extraArgs: { codex: ['-c', 'a=1'] }, models: { codex: 'm' } }, 'claude')?.extraArgs).toEqual([]);
  });

  it('--mcp-config: the common mcpServers JSON, every problem listed', () => {
    expect(parseMcpConfig(JSON.stringify({ mcpServers: MCP }), 'm.json')).toEqual({ outpost: { ...MCP.outpost, url: undefined } });
    expect(() => parseMcpConfig(JSON.stringify({ mcpServers: { 'bad name': {}, ok: { args: [] } } }), 'm.json')).toThrow(
      /invalid --mcp-config m.json: mcpServers.bad name.*; mcpServers.ok: needs a command/,
    );
  });

  it('structured output: the agent\'s own, else the final answer as JSON, checked against the schema', () => {
    expect(checkStructuredOutput(SCHEMA, { ok: true }, 'text')).toEqual({ kind: 'valid', value: { ok: true } });
    expect(checkStructuredOutput(SCHEMA, undefined, '{"ok": false}')).toEqual({ kind: 'valid', value: { ok: false } });
    expect(checkStructuredOutput(SCHEMA, undefined, 'done')).toEqual({ kind: 'invalid', reason: 'the final answer is not JSON' });
    const invalid = checkStructuredOutput(SCHEMA, undefined, '{"ok": "yes"}');
    expect(invalid.kind === 'invalid' && invalid.reason).toContain('/ok must be boolean');
  });
});
