import type { Conversation } from './conversation.js';
import { buildToolCall, STRUCTURED_ANSWER, type Action } from './tool-calls.js';

/** Every scripted scenario, in the order the docs list them. */
export const SCENARIO_NAMES = [
  'edit', 'multi-turn', 'slow', 'reasoning', 'plan', 'noop', 'long-command',
  'http-401', 'http-429', 'http-500', 'http-529', 'cut', 'hang', 'late-shell',
  'rate-limit-brief', 'usage-limit', 'usage-limit-in', 'usage-limit-weekly', 'mcp', 'structured', 'env',
] as const;

/** A scripted behaviour of the model server, chosen per conversation. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** One item of the model's answer, before it is put into an API's wire format. */
export type OutputItem =
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; callId: string; name: string; namespace?: string; input: Record<string, unknown> }
  | { kind: 'text'; text: string };

/** What the server does with one model request. */
export type TurnPlan =
  | {
      kind: 'reply';
      items: OutputItem[];
      /** Pause between streamed events (the `slow` scenario). */
      eventDelayMs: number;
      /** Send a few events, then destroy the socket (the `cut` scenario; streams only). */
      cutStream: boolean;
    }
  | { kind: 'http-error'; status: 401 | 429 | 500 | 529 }
  | {
      kind: 'usage-limit';
      /** When the window resets, epoch seconds. */
      resetsAt: number;
      window: 'five_hour' | 'seven_day';
      /** codex: the 429 body names the reset as `resets_at` (epoch) or only `resets_in_seconds`. */
      bodyField: 'resets_at' | 'resets_in_seconds';
    }
  | { kind: 'hang' };

/** Tunables of the scripted model, and the limit windows of this conversation's task. */
export interface PlanOptions {
  slowChunkDelayMs: number;
  /** The task's usage-limit window resets at this time (epoch ms); after it, the task runs as `edit`. */
  usageLimitUntilMs?: number;
  /** The task is inside its brief rate-limit window (`rate-limit-brief`: 429 + retry-after, then `edit`). */
  rateLimited?: boolean;
  /** Now, epoch ms. */
  nowMs?: number;
}

/** Scenarios whose limit window, once over, leaves an ordinary `edit` run. */
export const LIMIT_SCENARIOS = new Set<ScenarioName>(['rate-limit-brief', 'usage-limit', 'usage-limit-in', 'usage-limit-weekly']);

const WEEKLY_RESET_SECONDS = 3 * 86_400 + 3_600;

interface Script {
  /** Tool-calling turns; the calls of one turn are sent together. */
  turns: Action[][];
  answer: string;
  reasoning: boolean;
}

const EDIT_TURNS: Action[][] = [['create-hello', 'append-readme']];

type ScriptedName = 'edit' | 'multi-turn' | 'reasoning' | 'plan' | 'noop' | 'late-shell' | 'long-command' | 'mcp' | 'structured' | 'env';

const SCRIPTS: Record<ScriptedName, Script> = {
  edit: { turns: EDIT_TURNS, answer: 'Created hello.txt.', reasoning: false },
  'multi-turn': {
    turns: [['create-hello'], ['append-readme'], ['show-hello']],
    answer: 'Created hello.txt in three steps.',
    reasoning: false,
  },
  reasoning: { turns: EDIT_TURNS, answer: 'Created hello.txt.', reasoning: true },
  plan: { turns: [['plan'], ...EDIT_TURNS], answer: 'Created hello.txt as planned.', reasoning: false },
  noop: { turns: [], answer: 'Nothing to change: the repository already looks right.', reasoning: false },
  // A long shell command (`sleep 12 && echo late > late.txt`): the run is stopped while it runs.
  'late-shell': { turns: [['late-write']], answer: 'Wrote late.txt.', reasoning: false },
  'long-command': { turns: [['slow-command']], answer: 'Ran the slow step.', reasoning: false },
  // Calls the first MCP tool the agent offers with {"text": "outpost"}.
  mcp: { turns: [['mcp-call']], answer: 'Called the MCP tool.', reasoning: false },
  // The final answer as JSON (claude: first through its StructuredOutput tool).
  structured: { turns: [['structured-answer']], answer: JSON.stringify(STRUCTURED_ANSWER), reasoning: false },
  // The names of the variables the agent's shell got, in env-names.txt (for --clean-env).
  env: { turns: [['list-env']], answer: 'Listed the environment.', reasoning: false },
};

const FOLLOW_UP_ANSWER = 'Nothing left to do: the earlier task is complete.';
const REASONING_TEXT = '**Planning** I will create hello.txt, then append a line to README.md if there is one.';
const MARKER = /\[scenario:([a-z0-9-]+)\]/i;

/** True for a known scenario name. */
export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(value);
}

/**
 * The scenario for one agent: a `[scenario-<agent>:NAME]` marker in the task (so one task can
 * script codex and claude differently, e.g. in a race), else `[scenario:NAME]`, else the fallback.
 */
export function selectScenario(taskText: string, fallback: ScenarioName, agent?: 'codex' | 'claude'): ScenarioName {
  const own = agent ? new RegExp(`\\[scenario-${agent}:([a-z0-9-]+)\\]`, 'i').exec(taskText)?.[1] : undefined;
  const name = (own ?? MARKER.exec(taskText)?.[1])?.toLowerCase();
  return name !== undefined && isScenarioName(name) ? name : fallback;
}

function scriptOf(scenario: ScenarioName): Script {
  switch (scenario) {
    case 'edit':
    case 'slow':
    case 'cut':
    case 'rate-limit-brief':
    case 'usage-limit':
    case 'usage-limit-in':
    case 'usage-limit-weekly':
      return SCRIPTS.edit;
    case 'multi-turn':
    case 'reasoning':
    case 'plan':
    case 'noop':
    case 'late-shell':
    case 'long-command':
    case 'mcp':
    case 'structured':
    case 'env':
      return SCRIPTS[scenario];
    default:
      return SCRIPTS.noop;
  }
}

// The turn is read from the history (tool outputs already answered), never from a
// server-side counter, so concurrent and resumed conversations each get the right turn.
function planItems(conversation: Conversation, script: Script): OutputItem[] {
  const prefix = conversation.agent === 'codex' ? 'call_outpost_' : 'toolu_outpost_';
  let consumed = 0;
  for (const [turnIndex, actions] of script.turns.entries()) {
    const calls = actions.flatMap((action) => buildToolCall(action, conversation) ?? []);
    if (calls.length === 0) continue;
    if (conversation.toolOutputCount <= consumed) {
      const items: OutputItem[] = calls.map((call, index) => ({
        kind: 'tool_call',
        callId: `${prefix}${String(consumed + index + 1).padStart(2, '0')}`,
        ...call,
      }));
      if (script.reasoning && turnIndex === 0) items.unshift({ kind: 'reasoning', text: REASONING_TEXT });
      return items;
    }
    consumed += calls.length;
  }
  const followUp = conversation.promptCount > 1 && conversation.toolOutputCount > 0;
  return [{ kind: 'text', text: followUp ? FOLLOW_UP_ANSWER : script.answer }];
}

/** Decides what the scripted model does for one request of a conversation. */
export function planTurn(conversation: Conversation, scenario: ScenarioName, options: PlanOptions): TurnPlan {
  switch (scenario) {
    case 'http-401':
      return { kind: 'http-error', status: 401 };
    case 'http-429':
      return { kind: 'http-error', status: 429 };
    case 'http-500':
      return { kind: 'http-error', status: 500 };
    case 'http-529':
      return { kind: 'http-error', status: 529 };
    case 'hang':
      return { kind: 'hang' };
    case 'rate-limit-brief':
      if (options.rateLimited) return { kind: 'http-error', status: 429 };
      return replyOf(conversation, scenario, options);
    case 'usage-limit':
    case 'usage-limit-in':
    case 'usage-limit-weekly':
      return planUsageLimit(conversation, scenario, options);
    default:
      return replyOf(conversation, scenario, options);
  }
}

function replyOf(conversation: Conversation, scenario: ScenarioName, options: PlanOptions): TurnPlan {
  return {
    kind: 'reply',
    items: planItems(conversation, scriptOf(scenario)),
    eventDelayMs: scenario === 'slow' ? options.slowChunkDelayMs : 0,
    cutStream: scenario === 'cut',
  };
}

// Until the window resets the task gets the usage-limit answer; afterwards it runs as `edit`.
function planUsageLimit(conversation: Conversation, scenario: ScenarioName, options: PlanOptions): TurnPlan {
  const nowMs = options.nowMs ?? Date.now();
  if (scenario === 'usage-limit-weekly') {
    return { kind: 'usage-limit', resetsAt: Math.floor(nowMs / 1000) + WEEKLY_RESET_SECONDS, window: 'seven_day', bodyField: 'resets_at' };
  }
  const until = options.usageLimitUntilMs ?? nowMs + 3_600_000;
  if (nowMs >= until) return replyOf(conversation, scenario, options);
  return {
    kind: 'usage-limit',
    resetsAt: Math.ceil(until / 1000),
    window: 'five_hour',
    bodyField: scenario === 'usage-limit-in' ? 'resets_in_seconds' : 'resets_at',
  };
}

/** The answer to claude's title side request: a JSON title as text. */
export function planTitle(conversation: Conversation): TurnPlan {
  // The title request quotes the task inside <session>…</session>.
  const session = /<session>([\s\S]*?)<\/session>/.exec(conversation.taskText)?.[1] ?? conversation.taskText;
  const words = session.replace(MARKER, '').trim().split(/\s+/).filter(Boolean).slice(0, 6);
  const title = words.length > 0 ? words.join(' ') : 'Scripted outpost session';
  return { kind: 'reply', items: [{ kind: 'text', text: JSON.stringify({ title }) }], eventDelayMs: 0, cutStream: false };
}
