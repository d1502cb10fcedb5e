export { createAuthorizationServer, type AuthorizationServer, type AuthorizationServerOptions } from './app.js';
export { resolveServerConfig, ConfigError, type ServerConfig, type ServerSettings } from './config.js';
export { listen, type RunningHttpServer } from './http/listen.js';
export { hashPassword, verifyPassword } from './browser/password-hash.js';
export { createLogger } from './logger.js';
export type { Clock } from './clock.js';
