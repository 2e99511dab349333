/** The kinds of login `dispatch doctor` tells apart. */
export type LoginKind =
  | 'api-key'
  | 'chatgpt-login'
  | 'setup-token'
  | 'claude-login'
  | 'cloud'
  | 'custom-provider'
  | 'keyring'
  | 'none';

/** What an agent will log in with, judged without printing any secret. */
export interface LoginInfo {
  kind: LoginKind;
  /** Where it comes from: "auth.json", "OPENAI_API_KEY", "~/.claude/.credentials.json"… */
  source: string;
  /** When the access token expires (ChatGPT and claude logins), if known. */
  expiresAt?: Date | undefined;
  /** Whether N parallel runs and nightly runs can use it without breaking it. */
  parallelSafe: boolean;
  /** How parallel runs share it, or what to do to make them safe. */
  note: string;
}

/**
 * Lets one agent refresh a login alone before the others start (codex refreshes a ChatGPT
 * login's access token 5 minutes before it expires; parallel refreshes reuse a spent token).
 */
export interface LoginRefreshWatch {
  /** One key per login store: runs sharing it wait for each other. */
  key: string;
  /** The access token is expired or about to be: the next agent to start will refresh it. */
  due: boolean;
  /** The store now holds a different access token than when this watch was made. */
  refreshed(): boolean;
  /** A lock path beside the store that keeps separate dispatch processes in order too. */
  lockPath?: string;
}
