import { stringify } from '@decimalturn/toml-patch';

/** The model name codex asks the scripted server for. */
export const CODEX_SCRIPTED_MODEL = 'outpost-scripted';

/** Options of {@link codexConfigToml}. */
export interface CodexConfigOptions {
  /** request_max_retries and stream_max_retries (0). */
  retries?: number;
  /** Ends a stream that sends nothing for this long (30 000 ms). */
  streamIdleTimeoutMs?: number;
  /**
   * Send the ChatGPT login's access token (auth.json) to the server, as `requires_openai_auth`
   * providers do, and keep codex's ChatGPT side calls on the server too.
   */
  chatgptLogin?: boolean;
}

/** Options of {@link claudeEnv}. */
export interface ClaudeEnvOptions {
  /** CLAUDE_CODE_MAX_RETRIES (0). */
  retries?: number;
  /** API_TIMEOUT_MS: ends a request that gets no answer (30 000 ms). */
  apiTimeoutMs?: number;
}

/**
 * config.toml for a CODEX_HOME that points codex 0.169 at the scripted server. An unknown
 * model name makes codex offer `exec_command` (no apply_patch, no code mode) and print a
 * harmless "Model metadata … not found" warning item.
 */
export function codexConfigToml(url: string, opts: CodexConfigOptions = {}): string {
  const retries = opts.retries ?? 0;
  const base = url.replace(/\/+$/, '');
  return stringify({
    model: CODEX_SCRIPTED_MODEL,
    model_provider: 'outpost',
    ...(opts.chatgptLogin ? { chatgpt_base_url: `${base}/backend-api/` } : {}),
    // Offline: no analytics, no plugin sync (both resolve public hosts and fail silently),
    // and a refused connection ends the run instead of "waiting for network" forever.
    analytics: { enabled: false },
    features: { plugins: false, unbounded_connection_retries: false },
    model_providers: {
      outpost: {
        name: 'outpost',
        base_url: `${base}/v1`,
        wire_api: 'responses',
        request_max_retries: retries,
        stream_max_retries: retries,
        stream_idle_timeout_ms: opts.streamIdleTimeoutMs ?? 30_000,
        ...(opts.chatgptLogin ? { requires_openai_auth: true } : {}),
      },
    },
  });
}

/** Environment variables that point claude 2.1 at the scripted server. */
export function claudeEnv(url: string, opts: ClaudeEnvOptions = {}): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url.replace(/\/+$/, ''),
    ANTHROPIC_API_KEY: 'sk-ant-outpost-scripted',
    CLAUDE_CODE_MAX_RETRIES: String(opts.retries ?? 0),
    API_TIMEOUT_MS: String(opts.apiTimeoutMs ?? 30_000),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}
