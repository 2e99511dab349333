import { afterEach, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../src/model-server/index.js';
import { readJwtExpiry } from '../../src/executors/jwt-expiry.js';

let server: ModelServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<ModelServer & { oauth: NonNullable<ModelServer['oauth']> }> {
  server = await startModelServer({ oauth: { accessTokenTtlSec: 600 }, defaultScenario: 'noop' });
  const { oauth } = server;
  if (!oauth) throw new Error('no OAuth service');
  return Object.assign(server, { oauth });
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const refreshBody = (token: string) => ({ client_id: 'app_test', grant_type: 'refresh_token', refresh_token: token, refresh_reason: 'proactive_expiry' });
const responsesBody = { model: 'outpost-scripted', stream: false, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] };

describe('the scripted OAuth service', () => {
  it('rotates single-use refresh tokens; a reused one gets the real refusal shape', async () => {
    const { url, oauth } = await start();
    const login = oauth.login(-60);
    const first = await post(`${url}/oauth/token`, refreshBody(login.refresh_token));
    expect(first.status).toBe(200);
    const next = (await first.json()) as { access_token: string; refresh_token: string; id_token: string };
    expect(next.refresh_token).not.toBe(login.refresh_token);
    expect(readJwtExpiry(next.access_token)?.getTime()).toBeGreaterThan(Date.now() + 590_000);

    const reused = await post(`${url}/oauth/token`, refreshBody(login.refresh_token));
    expect(reused.status).toBe(401);
    const refusal = (await reused.json()) as { error: { message: string } };
    expect(refusal).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: 'refresh_token_reused' } });
    expect(refusal.error.message).toMatch(/already been used/);
    expect(oauth.stats).toMatchObject({ refreshes: 1, reused: 1, revoked: 0 });
    expect(oauth.latest()?.refresh_token).toBe(next.refresh_token);

    oauth.revokeAll();
    const revoked = await post(`${url}/oauth/token`, refreshBody(next.refresh_token));
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe('refresh_token_invalidated');
    expect(oauth.stats.revoked).toBe(1);
  });

  it('model requests need a live access token or a setup token; API keys in x-api-key still pass', async () => {
    const { url, oauth } = await start();
    const expired = oauth.login(-1);
    const live = oauth.login(600);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const stale = await post(`${url}/v1/responses`, responsesBody, bearer(expired.access_token));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('token_expired');
    expect((await post(`${url}/v1/responses`, responsesBody, bearer('not-issued'))).status).toBe(401);
    expect((await post(`${url}/v1/responses`, responsesBody, bearer(live.access_token))).status).toBe(200);

    const messages = { model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
    expect((await post(`${url}/v1/messages`, messages, bearer(oauth.setupToken()))).status).toBe(200);
    expect((await post(`${url}/v1/messages`, messages, { 'x-api-key': 'sk-ant-key' })).status).toBe(200);
    const refused = await post(`${url}/v1/messages`, messages, bearer(expired.access_token));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
    expect(oauth.stats.rejectedAccess).toBe(3);
  });

  it('aged(): the same chain a night later, its access token expired', async () => {
    const { url, oauth } = await start();
    const login = oauth.login(600);
    const later = oauth.aged(login);
    expect(later.refresh_token).toBe(login.refresh_token);
    expect(readJwtExpiry(later.access_token)?.getTime()).toBeLessThan(Date.now());
    expect((await post(`${url}/oauth/token`, refreshBody(later.refresh_token))).status).toBe(200);
  });
});
