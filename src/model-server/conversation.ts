/** What the scripted model needs to know about a request, whichever API it came through. */
export interface Conversation {
  agent: 'codex' | 'claude';
  /** Text of the first prompt the user wrote (the task), or '' when there is none. */
  taskText: string;
  /** Prompts the user wrote so far (more than one after a resume with a follow-up). */
  promptCount: number;
  /** Tool outputs already in the history: tells the scripted model which turn it is in. */
  toolOutputCount: number;
  /** Names of the tools the agent offers in this request. */
  toolNames: string[];
  /** The agent's working directory when the request states it (claude's system prompt). */
  cwd: string | null;
  /** claude's side request asking for a JSON session title (no tools). */
  isTitleRequest: boolean;
  /** The model name the request asked for, echoed in responses. */
  model: string;
  /** MCP tools offered (codex: `namespace` entries `mcp__<server>`; claude: tools `mcp__<server>__<tool>`). */
  mcpTools: Array<{ server: string; tool: string }>;
  /** The system / developer text of the request (claude's system prompt; codex's instructions and developer messages). */
  systemText: string;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Text parts of a content array (or a plain string content). */
function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  return arrayOf(content)
    .filter(isObject)
    .filter((part) => part.type === 'text' || part.type === 'input_text')
    .map((part) => stringOf(part.text));
}

// codex 0.169 sends its context (`<environment_context>`, AGENTS.md, skills) as user
// messages before the task: those are not prompts the user wrote.
function isCodexContext(text: string): boolean {
  const trimmed = text.trim();
  return (trimmed.startsWith('<') && trimmed.endsWith('>')) || trimmed.startsWith('# AGENTS.md instructions');
}

/** Reads an OpenAI Responses API request body (codex). */
export function readResponsesRequest(body: unknown): Conversation {
  const root = isObject(body) ? body : {};
  const items = arrayOf(root.input).filter(isObject);
  const prompts = items
    .filter((item) => (item.type === 'message' || item.type === undefined) && item.role === 'user')
    .map((item) => textsOf(item.content))
    .filter((texts) => texts.length > 0 && !texts.every(isCodexContext))
    .map((texts) => texts.join('\n'));
  const toolOutputCount = items.filter(
    (item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output',
  ).length;
  const toolNames = toolNamesOf(root);
  return {
    agent: 'codex',
    taskText: prompts[0] ?? '',
    promptCount: prompts.length,
    toolOutputCount,
    toolNames,
    cwd: null,
    isTitleRequest: false,
    model: stringOf(root.model) || 'outpost-scripted',
    mcpTools: codexMcpTools(root),
    systemText: [stringOf(root.instructions), ...items.filter((item) => item.role === 'developer' || item.role === 'system').flatMap((item) => textsOf(item.content))].join('\n'),
  };
}

const CLAUDE_CWD_LINE = /^\s*-\s*Primary working directory:\s*(\S.*?)\s*$/m;

// claude 2.1.x wraps its own context in `<system-reminder>` text blocks inside user messages.
function isClaudePrompt(message: JsonObject): boolean {
  const blocks = arrayOf(message.content).filter(isObject);
  if (blocks.some((block) => block.type === 'tool_result')) return false;
  return textsOf(message.content).some((text) => !text.trim().startsWith('<system-reminder>'));
}

function systemTextOf(system: unknown): string {
  return textsOf(system).join('\n');
}

// The title side call has no tools and asks for `{"title": …}` (a JSON schema in
// output_config.format, and the system prompt says so).
function isTitleRequest(root: JsonObject, toolNames: string[]): boolean {
  if (toolNames.length > 0) return false;
  const format = isObject(root.output_config) ? root.output_config.format : undefined;
  return JSON.stringify(format ?? '').includes('"title"') || /"title"/.test(systemTextOf(root.system));
}

/** Reads an Anthropic Messages API request body (claude). */
export function readMessagesRequest(body: unknown): Conversation {
  const root = isObject(body) ? body : {};
  // Mid-conversation `{"role":"system"}` entries are context, not turns.
  const userMessages = arrayOf(root.messages)
    .filter(isObject)
    .filter((message) => message.role === 'user');
  const prompts = userMessages.filter(isClaudePrompt).map((message) => textsOf(message.content).join('\n'));
  const toolOutputCount = userMessages
    .flatMap((message) => arrayOf(message.content))
    .filter((block) => isObject(block) && block.type === 'tool_result').length;
  const toolNames = toolNamesOf(root);
  const cwd = CLAUDE_CWD_LINE.exec(systemTextOf(root.system))?.[1] ?? null;
  return {
    agent: 'claude',
    taskText: prompts[0] ?? '',
    promptCount: prompts.length,
    toolOutputCount,
    toolNames,
    cwd,
    isTitleRequest: isTitleRequest(root, toolNames),
    model: stringOf(root.model) || 'outpost-scripted',
    mcpTools: toolNames.flatMap((name) => {
      const match = /^mcp__([^_].*?)__(.+)$/.exec(name);
      return match?.[1] && match[2] ? [{ server: match[1], tool: match[2] }] : [];
    }),
    systemText: systemTextOf(root.system),
  };
}

// codex 0.169 offers an MCP server's tools as {"type":"namespace","name":"mcp__<server>","tools":[…]}.
function codexMcpTools(root: JsonObject): Array<{ server: string; tool: string }> {
  return arrayOf(root.tools)
    .filter(isObject)
    .filter((entry) => entry.type === 'namespace' && stringOf(entry.name).startsWith('mcp__'))
    .flatMap((entry) => arrayOf(entry.tools).filter(isObject).map((tool) => ({ server: stringOf(entry.name).slice('mcp__'.length), tool: stringOf(tool.name) })))
    .filter((tool) => tool.tool !== '');
}

/** The names of the tools a request offers the model. */
function toolNamesOf(root: Record<string, unknown>): string[] {
  return arrayOf(root.tools)
    .filter(isObject)
    .map((tool) => stringOf(tool.name))
    .filter((name) => name !== '');
}
