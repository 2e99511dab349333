/**
 * When a JWT expires, from its `exp` claim, without verifying or printing it. Pure: the
 * token never leaves this function; only the date does.
 */
export function readJwtExpiry(token: unknown): Date | undefined {
  if (typeof token !== 'string') return undefined;
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
