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

/**
 * Tokens of well-known shapes, each with anchors: strings one of which every match contains,
 * so that a quick search for them can tell that a text holds none (see createSecretScreen).
 */
const TOKEN_SHAPES: { pattern: RegExp; anchors: string[] }[] = [
  { pattern: /\bsk-ant-[A-Za-z0-9_-]{16,}/g, anchors: ['sk-'] },
  { pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, anchors: ['sk-'] },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g, anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'] },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, anchors: ['_pat_'] },
  { pattern: /\bxox[abpr]-[A-Za-z0-9-]{10,}/g, anchors: ['xox'] },
  { pattern: /\bAKIA[0-9A-Z]{16}\b/g, anchors: ['AKIA'] },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g, anchors: ['glpat-'] },
  // JWTs (OAuth access and id tokens, e.g. from a seeded codex auth.json); `yJ` is found faster than `eyJ`.
  { pattern: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, anchors: ['yJ'] },
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

/** Variables named like secrets (a custom provider's `MY_LLM_KEY`, `X_TOKEN`, …) are redacted too. */
const SECRET_NAME = /(?:_KEY|_TOKEN|_SECRET|_PASSWORD)$/;

/** Builds a redactor for the secrets present in `env`. */
export function createRedactor(env: NodeJS.ProcessEnv, extraNames: string[] = []): Redactor {
  const pattern = buildPattern(listSecretValues(env, extraNames).flatMap(listEncodedForms));
  return (text: string) => text.replace(pattern, REDACTED);
}

/** Redacts raw bytes (an agent's stdout, binary or not): bytes that are not a secret stay exactly as they were. */
export type ByteRedactor = (bytes: Buffer) => Buffer;

/**
 * The same secrets as createRedactor, matched on bytes: each form as its UTF-8 bytes, read
 * one char a byte (latin1), so invalid UTF-8 around a secret is never rewritten.
 */
export function createByteRedactor(env: NodeJS.ProcessEnv, extraNames: string[] = []): ByteRedactor {
  const forms = listSecretValues(env, extraNames).flatMap(listEncodedForms).map((form) => Buffer.from(form, 'utf8').toString('latin1'));
  const pattern = buildPattern(forms);
  const mayHoldSecret = createSecretScreen(env, extraNames);
  return (bytes: Buffer) => {
    if (!mayHoldSecret(bytes)) return bytes;
    const text = bytes.toString('latin1');
    pattern.lastIndex = 0;
    return pattern.test(text) ? Buffer.from(text.replace(pattern, REDACTED), 'latin1') : bytes;
  };
}

/** Tells whether bytes may hold a secret; false means that neither redactor would change them (or their text). */
export type SecretScreen = (bytes: Buffer) => boolean;

/**
 * A quick search (memchr-fast Buffer.indexOf) for the UTF-8 bytes of every encoded form of
 * the secrets in `env` and for the anchors of every token shape: far cheaper than the
 * regular expression over a flood of lines that hold no secret, which is nearly all of them.
 */
export function createSecretScreen(env: NodeJS.ProcessEnv, extraNames: string[] = []): SecretScreen {
  const texts = [...listSecretValues(env, extraNames).flatMap(listEncodedForms), ...TOKEN_SHAPES.flatMap((shape) => shape.anchors)];
  // A needle that holds another is found whenever it is (`sk-proj-…` by `sk-`): one search less.
  const unique = [...new Set(texts)];
  const needles = unique.filter((text) => !unique.some((other) => other !== text && text.includes(other))).map((text) => Buffer.from(text, 'utf8'));
  return (bytes: Buffer) => needles.some((needle) => bytes.includes(needle));
}

/** The values of the secret variables present in `env` (values shorter than 8 chars are ignored). */
export function listSecretValues(env: NodeJS.ProcessEnv, extraNames: string[] = []): string[] {
  const named = Object.keys(env).filter((name) => SECRET_NAME.test(name));
  return [...new Set([...SECRET_ENV_VARS, ...extraNames, ...named])]
    .map((name) => env[name])
    .filter((value): value is string => typeof value === 'string' && value.length >= 8);
}

// One pass a line: the known values (longest first) and every token shape in a single alternation.
function buildPattern(forms: string[]): RegExp {
  const values = [...new Set(forms)].sort((a, b) => b.length - a.length);
  const sources = [...values.map(escapeRegExp), ...TOKEN_SHAPES.map((shape) => shape.pattern.source)];
  return new RegExp(sources.join('|'), 'g');
}
