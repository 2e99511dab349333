/**
 * Removes secrets from text that goes into a run's files: values of known key variables
 * taken from the environment, and tokens of well-known shapes.
 */

const SECRET_ENV_VARS = [
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITLAB_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'GOOGLE_API_KEY',
  'GEMINI_API_KEY',
  'NPM_TOKEN',
];

const TOKEN_SHAPES: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{16,}/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  // JWTs (OAuth access and id tokens, e.g. from a seeded codex auth.json)
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g,
];

export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The forms a secret takes in what an agent prints: as is; JSON-escaped (`"` and a backslash
 * escaped with a backslash) once for a JSON string, twice or three times for JSON held in a
 * JSON string (tool-call arguments, a command that writes JSON), and with non-ASCII as
 * \uXXXX; URL-encoded (`%22`, lower-case hex, `+` for a space in a form body).
 */
export function listEncodedForms(value: string): string[] {
  const escaped = jsonEscape(value);
  const urlEncoded = encodeURIComponent(value);
  return [
    value,
    escaped,
    jsonEscape(escaped),
    jsonEscape(jsonEscape(escaped)),
    escaped.replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    urlEncoded,
    urlEncoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    urlEncoded.replaceAll('%20', '+'),
  ];
}

function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** Builds a redactor for the secrets present in `env` (values shorter than 8 chars are ignored). */
/** Variables named like secrets (a custom provider's `MY_LLM_KEY`, `X_TOKEN`, …) are redacted too. */
const SECRET_NAME = /(?:_KEY|_TOKEN|_SECRET|_PASSWORD)$/;

export function createRedactor(env: NodeJS.ProcessEnv, extraNames: string[] = []): Redactor {
  const named = Object.keys(env).filter((name) => SECRET_NAME.test(name));
  const secrets = [...new Set([...SECRET_ENV_VARS, ...extraNames, ...named])]
    .map((name) => env[name])
    .filter((value): value is string => typeof value === 'string' && value.length >= 8);
  const values = [...new Set(secrets.flatMap(listEncodedForms))].sort((a, b) => b.length - a.length);
  // One pass a line: the known values and every token shape in a single alternation.
  const sources = [...values.map(escapeRegExp), ...TOKEN_SHAPES.map((shape) => shape.source)];
  const pattern = new RegExp(sources.join('|'), 'g');
  return (text: string) => text.replace(pattern, REDACTED);
}
