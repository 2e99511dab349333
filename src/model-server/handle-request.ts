import type { IncomingMessage, ServerResponse } from 'node:http';
import { readMessagesRequest, readResponsesRequest, type Conversation } from './conversation.js';
import { newId } from './ids.js';
import { buildMessagesError, buildMessagesEvents, buildMessagesJson, countTokens } from './messages-sse.js';
import { readBody } from './read-body.js';
import type { OAuthIssuer } from './oauth-issuer.js';
import { buildResponsesError, buildResponsesEvents, buildResponsesJson } from './responses-sse.js';
import { LIMIT_SCENARIOS, planTitle, planTurn, selectScenario, type PlanOptions, type ScenarioName, type TurnPlan } from './scenarios.js';
import { buildUsageLimitAnswer } from './usage-limit.js';
import { writeSse, type SseEvent } from './sse-writer.js';

/** One request the server received. */
export interface RecordedRequest {
  api: 'responses' | 'messages' | 'other';
  method: string;
  path: string;
  /** The scenario played for a model turn; null for side requests (HEAD, titles, token counts). */
  scenario: ScenarioName | null;
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** A model turn's system / developer text (what --instructions must reach). */
  systemText?: string;
}

/** What the request handler needs from the server. */
export interface HandlerContext {
  defaultScenario: ScenarioName;
  slowChunkDelayMs: number;
  /** When set, model requests need a live bearer token from it (API keys in x-api-key still pass). */
  oauth?: OAuthIssuer | undefined;
  /** How long a task's usage limit lasts from its first request (`usage-limit`, `usage-limit-in`). */
  usageLimitResetMs: number;
  /** How long a task gets 429s from its first request (`rate-limit-brief`). */
  rateLimitForMs: number;
  /** First request of each limited task (scenario + task text), epoch ms. */
  limitStarts: Map<string, number>;
  record(request: RecordedRequest): void;
}

type Api = 'responses' | 'messages';

/** Events cut off by the `cut` scenario: the stream starts, then breaks. */
const CUT_AFTER_EVENTS = 3;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function isStreaming(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}

async function playPlan(res: ServerResponse, api: Api, plan: TurnPlan, conversation: Conversation, streaming: boolean): Promise<void> {
  const requestId = newId('req');
  const headers: Record<string, string> = api === 'messages' ? { 'request-id': requestId } : { 'x-request-id': requestId };
  switch (plan.kind) {
    case 'hang':
      return; // Accept the request and never send a byte; close() destroys the socket.
    case 'usage-limit': {
      const answer = buildUsageLimitAnswer(api, plan, requestId);
      sendJson(res, 429, answer.body, { ...headers, ...answer.headers });
      return;
    }
    case 'http-error': {
      if (plan.status === 429) headers['retry-after'] = '1';
      const body = api === 'messages' ? buildMessagesError(plan.status, requestId) : buildResponsesError(plan.status);
      sendJson(res, plan.status, body, headers);
      return;
    }
    case 'reply':
      break;
  }
  const createdAt = Math.floor(Date.now() / 1000);
  if (!streaming) {
    // claude retries a broken stream without streaming: that path always answers in full.
    const body = api === 'messages'
      ? buildMessagesJson(plan.items, conversation.model)
      : buildResponsesJson(plan.items, conversation.model, createdAt);
    sendJson(res, 200, body, headers);
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const events: SseEvent[] = api === 'messages'
    ? buildMessagesEvents(plan.items, conversation.model)
    : buildResponsesEvents(plan.items, conversation.model, createdAt);
  await writeSse(res, events, {
    delayMs: plan.eventDelayMs,
    ...(plan.cutStream ? { cutAfterEvents: CUT_AFTER_EVENTS } : {}),
  });
}

// With the OAuth service on, an expired or unknown bearer token gets the API's 401.
function refuseStaleToken(req: IncomingMessage, res: ServerResponse, api: Api, oauth: OAuthIssuer): boolean {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer === undefined && req.headers['x-api-key'] !== undefined) return false;
  const verdict = bearer === undefined ? 'unknown' : oauth.checkAccess(bearer);
  if (verdict === 'ok') return false;
  const message = verdict === 'expired'
    ? 'Provided authentication token is expired. Please try signing in again.'
    : 'Invalid authentication credentials (outpost scripted OAuth).';
  const body = api === 'messages'
    ? { type: 'error', error: { type: 'authentication_error', message }, request_id: newId('req') }
    : { error: { message, type: 'invalid_request_error', param: null, code: verdict === 'expired' ? 'token_expired' : 'invalid_api_key' } };
  sendJson(res, 401, body);
  return true;
}

async function handleModelRequest(req: IncomingMessage, res: ServerResponse, api: Api, path: string, ctx: HandlerContext): Promise<void> {
  const text = await readBody(req);
  if (ctx.oauth && refuseStaleToken(req, res, api, ctx.oauth)) {
    ctx.record({ api, method: 'POST', path, scenario: null, at: Date.now() });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    sendJson(res, 400, { error: { message: 'request body is not JSON (outpost model server)' } });
    return;
  }
  const conversation = api === 'messages' ? readMessagesRequest(body) : readResponsesRequest(body);
  const at = Date.now();
  if (conversation.isTitleRequest) {
    ctx.record({ api, method: 'POST', path, scenario: null, at });
    await playPlan(res, api, planTitle(conversation), conversation, isStreaming(body));
    return;
  }
  const scenario = selectScenario(conversation.taskText, ctx.defaultScenario, api === 'messages' ? 'claude' : 'codex');
  ctx.record({ api, method: 'POST', path, scenario, at, systemText: conversation.systemText });
  const plan = planTurn(conversation, scenario, planOptionsOf(ctx, scenario, conversation.taskText, at));
  await playPlan(res, api, plan, conversation, isStreaming(body));
}

async function handleTokenRequest(req: IncomingMessage, res: ServerResponse, oauth: OAuthIssuer, ctx: HandlerContext): Promise<void> {
  ctx.record({ api: 'other', method: 'POST', path: '/oauth/token', scenario: null, at: Date.now() });
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(await readBody(req)) as unknown;
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // An unreadable body is an invalid grant, answered below.
  }
  const reply = oauth.refresh(body);
  sendJson(res, reply.status, reply.body);
}

// A limit window opens at the task's first request, so a rerun after it (dispatch --on-quota
// wait) sees the window over, as it would with the real service.
function planOptionsOf(ctx: HandlerContext, scenario: ScenarioName, taskText: string, nowMs: number): PlanOptions {
  const options: PlanOptions = { slowChunkDelayMs: ctx.slowChunkDelayMs, nowMs };
  if (!LIMIT_SCENARIOS.has(scenario)) return options;
  const key = `${scenario}\n${taskText}`;
  const startedAt = ctx.limitStarts.get(key) ?? nowMs;
  ctx.limitStarts.set(key, startedAt);
  options.usageLimitUntilMs = startedAt + ctx.usageLimitResetMs;
  options.rateLimited = nowMs < startedAt + ctx.rateLimitForMs;
  return options;
}

/** Routes one request: the two model APIs, token counting, and harmless answers to the rest. */
export async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (method === 'POST' && path.endsWith('/responses')) return handleModelRequest(req, res, 'responses', path, ctx);
  if (method === 'POST' && path.endsWith('/messages')) return handleModelRequest(req, res, 'messages', path, ctx);
  if (method === 'POST' && path === '/oauth/token' && ctx.oauth) return handleTokenRequest(req, res, ctx.oauth, ctx);
  ctx.record({ api: path.includes('/messages') ? 'messages' : 'other', method, path, scenario: null, at: Date.now() });
  if (method === 'POST' && path.endsWith('/messages/count_tokens')) {
    sendJson(res, 200, { input_tokens: countTokens(await readBody(req)) });
    return;
  }
  req.resume();
  // claude sends `HEAD /` first and ignores the status; keep every other probe harmless.
  if (method === 'HEAD' || path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(method === 'HEAD' ? undefined : 'outpost model server\n');
    return;
  }
  sendJson(res, 404, { error: { type: 'not_found_error', message: `no route for ${method} ${path} (outpost model server)` } });
}
