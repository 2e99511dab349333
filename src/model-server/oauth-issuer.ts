import { createHmac, randomBytes } from 'node:crypto';

/** Options of the scripted OAuth service (ChatGPT-style logins for codex, setup tokens for claude). */
export interface OAuthIssuerOptions {
  /** Lifetime of an access token (3 600 s). */
  accessTokenTtlSec?: number;
  /** Clock in epoch milliseconds (Date.now). */
  now?: () => number;
  /** Told of every model request refused for its token (e.g. to play another agent refreshing then). */
  onAccessRefused?: (token: string, verdict: Exclude<AccessVerdict, 'ok'>) => void;
}

/** The tokens of one login, as `codex login` stores them in auth.json. */
export interface LoginTokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
  account_id: string;
}

/** What the token endpoint answered, counted per kind. */
export interface OAuthStats {
  /** Successful refreshes (a new chain link issued). */
  refreshes: number;
  /** Refreshes refused because the refresh token had been used before. */
  reused: number;
  /** Refreshes refused because the login was revoked. */
  revoked: number;
  /** Model requests refused because the access token had expired or was unknown. */
  rejectedAccess: number;
}

/** How the token endpoint answers one request. */
export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

/** A model request's bearer token, judged. */
export type AccessVerdict = 'ok' | 'expired' | 'unknown';

type RefreshState = 'live' | 'used' | 'revoked';

const ACCOUNT_ID = 'acct-outpost-scripted';
const SIGNING_KEY = randomBytes(32);

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function signJwt(claims: Record<string, unknown>): string {
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${head}.${createHmac('sha256', SIGNING_KEY).update(head).digest('base64url')}`;
}

// The refusal shapes of auth.openai.com's token endpoint: codex reads `error.code`.
function refusal(code: 'refresh_token_reused' | 'refresh_token_invalidated' | 'invalid_grant', message: string): TokenReply {
  return { status: 401, body: { error: { message, type: 'invalid_request_error', param: null, code } } };
}

/**
 * A token service like the real ones: access tokens are JWTs that expire, every refresh
 * token is single-use and rotates, a reused one is refused with `refresh_token_reused`,
 * and a revoked login refuses every refresh. Long-lived setup tokens never expire.
 */
export function createOAuthIssuer(opts: OAuthIssuerOptions = {}) {
  const now = opts.now ?? Date.now;
  const ttlSec = opts.accessTokenTtlSec ?? 3_600;
  const refreshTokens = new Map<string, RefreshState>();
  const accessExpiry = new Map<string, number>();
  const setupTokens = new Set<string>();
  const stats: OAuthStats = { refreshes: 0, reused: 0, revoked: 0, rejectedAccess: 0 };
  let latest: LoginTokens | undefined;

  const auth = { chatgpt_account_id: ACCOUNT_ID, chatgpt_plan_type: 'pro', chatgpt_user_id: 'user-outpost' };

  function signAccess(expiresAtSec: number): string {
    const iat = Math.floor(now() / 1000);
    const access = signJwt({ iss: 'outpost-scripted', aud: ['https://api.openai.com/v1'], iat, exp: expiresAtSec, jti: base64url(randomBytes(9)), 'https://api.openai.com/auth': auth });
    accessExpiry.set(access, expiresAtSec * 1000);
    return access;
  }

  function issue(expiresAtSec: number): LoginTokens {
    const iat = Math.floor(now() / 1000);
    const id = signJwt({ iss: 'outpost-scripted', aud: 'outpost', iat, exp: iat + 3_600, email: 'user@outpost.test', 'https://api.openai.com/auth': auth });
    const refresh = `rt_outpost_${base64url(randomBytes(18))}`;
    refreshTokens.set(refresh, 'live');
    latest = { id_token: id, access_token: signAccess(expiresAtSec), refresh_token: refresh, account_id: ACCOUNT_ID };
    return latest;
  }

  return {
    stats,
    /** A fresh login whose access token expires `expiresInSec` from now (negative: already expired). */
    login(expiresInSec = ttlSec): LoginTokens {
      return issue(Math.floor(now() / 1000) + expiresInSec);
    },
    /**
     * The same login some days later: `tokens` with an access token that has expired by
     * now (the refresh token is unchanged). Simulates time passing for a nightly run.
     */
    aged(tokens: LoginTokens): LoginTokens {
      return { ...tokens, access_token: signAccess(Math.floor(now() / 1000) - 60) };
    },
    /** An access token the model endpoints refuse as expired (a login revoked server-side). */
    expiredAccessToken(): string {
      return signAccess(Math.floor(now() / 1000) - 60);
    },
    /** A long-lived token like `claude setup-token` prints: accepted, never refreshed. */
    setupToken(): string {
      const token = `sk-ant-oat01-outpost-${base64url(randomBytes(24))}`;
      setupTokens.add(token);
      return token;
    },
    /** The newest tokens issued (by login or refresh). */
    latest(): LoginTokens | undefined {
      return latest;
    },
    /** Revokes every refresh token issued so far: the user must log in again. */
    revokeAll(): void {
      for (const token of refreshTokens.keys()) refreshTokens.set(token, 'revoked');
    },
    /** Answers `POST /oauth/token` with grant_type=refresh_token. */
    refresh(body: Record<string, unknown>): TokenReply {
      const token = typeof body.refresh_token === 'string' ? body.refresh_token : '';
      const state = refreshTokens.get(token);
      if (body.grant_type !== 'refresh_token' || state === undefined) {
        return refusal('invalid_grant', 'Invalid refresh token (outpost scripted OAuth).');
      }
      if (state === 'used') {
        stats.reused += 1;
        return refusal('refresh_token_reused', 'Your refresh token has already been used to generate a new access token. Please try signing in again.');
      }
      if (state === 'revoked') {
        stats.revoked += 1;
        return refusal('refresh_token_invalidated', 'Your refresh token has been invalidated. Please try signing in again.');
      }
      refreshTokens.set(token, 'used');
      stats.refreshes += 1;
      const next = issue(Math.floor(now() / 1000) + ttlSec);
      return { status: 200, body: { ...next, token_type: 'Bearer', expires_in: ttlSec } };
    },
    /** Judges a model request's `Authorization: Bearer` token; counts refusals. */
    checkAccess(token: string): AccessVerdict {
      const verdict: AccessVerdict = setupTokens.has(token)
        ? 'ok'
        : accessExpiry.has(token)
          ? (accessExpiry.get(token) ?? 0) > now() ? 'ok' : 'expired'
          : 'unknown';
      if (verdict === 'ok') return verdict;
      stats.rejectedAccess += 1;
      opts.onAccessRefused?.(token, verdict);
      return verdict;
    },
  };
}

/** A running scripted OAuth service. */
export type OAuthIssuer = ReturnType<typeof createOAuthIssuer>;
