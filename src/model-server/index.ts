export { startModelServer, type ModelServer, type ModelServerOptions } from './server.js';
export type { RecordedRequest } from './handle-request.js';
export { SCENARIO_NAMES, isScenarioName, selectScenario, type ScenarioName } from './scenarios.js';
export {
  CODEX_SCRIPTED_MODEL,
  claudeEnv,
  codexConfigToml,
  type ClaudeEnvOptions,
  type CodexConfigOptions,
} from './cli-config.js';
export { createOAuthIssuer, type LoginTokens, type OAuthIssuer, type OAuthIssuerOptions, type OAuthStats } from './oauth-issuer.js';
