import type { Conversation } from './conversation.js';

/** One step of a scripted task, independent of the agent that carries it out. */
export type Action = 'create-hello' | 'append-readme' | 'show-hello' | 'slow-command' | 'plan' | 'late-write' | 'mcp-call' | 'structured-answer' | 'list-env';

/** A call of one of the agent's own tools. */
export interface ToolCall {
  name: string;
  /** codex: the MCP server's tool namespace (`mcp__<server>`). */
  namespace?: string;
  input: Record<string, unknown>;
}

/** What the `structured` scenario answers (claude: through its StructuredOutput tool). */
export const STRUCTURED_ANSWER = { summary: 'Nothing to change.', files_changed: 0 };

/** The argument the `mcp` scenario passes to the first MCP tool it is offered. */
export const MCP_CALL_TEXT = 'outpost';

const PLAN_STEPS = ['Create hello.txt', 'Append a line to README.md'];

/** The line the scripted model appends to README.md (when the repository has one). */
export function readmeLine(agent: Conversation['agent']): string {
  return `Edited by ${agent} (outpost scripted model).`;
}

type ShellAction = Exclude<Action, 'plan' | 'mcp-call' | 'structured-answer'>;

const SHELL_DESCRIPTIONS: Record<ShellAction, string> = {
  'create-hello': 'Create hello.txt',
  'append-readme': 'Append a line to README.md if it exists',
  'show-hello': 'Show hello.txt',
  'late-write': 'Wait, then write late.txt',
  'slow-command': 'Run a slow step (5 s)',
  'list-env': 'List the environment variable names',
};

/** Where the `env` scenario writes the names of the variables its shell got, one a line. */
export const ENV_NAMES_FILE = 'env-names.txt';

/** The long shell command of the `late-shell` scenario: what a stopped run must not let finish. */
export const LATE_SHELL_COMMAND = 'sleep 12 && echo late > late.txt';

function shellCommand(action: ShellAction, agent: Conversation['agent']): string {
  switch (action) {
    case 'create-hello':
      return `printf '%s\\n' 'hello from ${agent}' > hello.txt`;
    case 'append-readme':
      return `if [ -f README.md ]; then printf '%s\\n' '${readmeLine(agent)}' >> README.md; fi`;
    case 'show-hello':
      return 'cat hello.txt';
    case 'late-write':
      return LATE_SHELL_COMMAND;
    // Longer than ~2 s: claude 2.1.197 runs it as a background task (system/task_* events).
    case 'slow-command':
      return `sleep 5 && printf '%s\\n' 'slow step done' > slow.txt`;
    case 'list-env':
      return `env | cut -d= -f1 | sort > ${ENV_NAMES_FILE}`;
  }
}

// codex 0.169 offers `exec_command` (and no apply_patch) to a model it does not know, and
// `update_plan` only with `-c tools.update_plan.enabled=true`.
function buildCodexCall(action: Action, tools: Set<string>, conversation: Conversation): ToolCall | null {
  if (action === 'structured-answer') return null; // codex answers in text, shaped by text.format.
  if (action === 'mcp-call') {
    const tool = conversation.mcpTools[0];
    return tool ? { namespace: `mcp__${tool.server}`, name: tool.tool, input: { text: MCP_CALL_TEXT } } : null;
  }
  if (action === 'plan') {
    if (!tools.has('update_plan')) return null;
    const plan = PLAN_STEPS.map((step, index) => ({ step, status: index === 0 ? 'in_progress' : 'pending' }));
    return { name: 'update_plan', input: { explanation: 'Two small steps.', plan } };
  }
  if (!tools.has('exec_command')) return null;
  return { name: 'exec_command', input: { cmd: shellCommand(action, 'codex') } };
}

// claude 2.1.197 in -p mode offers TaskCreate instead of TodoWrite; take whichever is there.
function buildClaudePlanCall(tools: Set<string>): ToolCall | null {
  if (tools.has('TodoWrite')) {
    const todos = PLAN_STEPS.map((content, index) => ({
      content,
      status: index === 0 ? 'in_progress' : 'pending',
      activeForm: content.replace(/^Create/, 'Creating').replace(/^Append/, 'Appending'),
    }));
    return { name: 'TodoWrite', input: { todos } };
  }
  if (tools.has('TaskCreate')) {
    return {
      name: 'TaskCreate',
      input: {
        subject: 'Create hello.txt',
        description: 'Create hello.txt, then append a line to README.md if it exists.',
        activeForm: 'Creating hello.txt',
      },
    };
  }
  return null;
}

function buildClaudeCall(action: Action, tools: Set<string>, conversation: Conversation): ToolCall | null {
  const { cwd } = conversation;
  if (action === 'plan') return buildClaudePlanCall(tools);
  if (action === 'structured-answer') return tools.has('StructuredOutput') ? { name: 'StructuredOutput', input: { ...STRUCTURED_ANSWER } } : null;
  if (action === 'mcp-call') {
    const tool = conversation.mcpTools[0];
    return tool ? { name: `mcp__${tool.server}__${tool.tool}`, input: { text: MCP_CALL_TEXT } } : null;
  }
  // Write insists on an absolute path: the system prompt names the working directory.
  if (action === 'create-hello' && cwd !== null && tools.has('Write')) {
    return { name: 'Write', input: { file_path: `${cwd.replace(/\/+$/, '')}/hello.txt`, content: 'hello from claude\n' } };
  }
  if (!tools.has('Bash')) return null;
  return { name: 'Bash', input: { command: shellCommand(action, 'claude'), description: SHELL_DESCRIPTIONS[action] } };
}

/** The tool call that performs an action with the tools this request offers, or null if none fits. */
export function buildToolCall(action: Action, conversation: Conversation): ToolCall | null {
  const tools = new Set(conversation.toolNames);
  return conversation.agent === 'codex'
    ? buildCodexCall(action, tools, conversation)
    : buildClaudeCall(action, tools, conversation);
}
