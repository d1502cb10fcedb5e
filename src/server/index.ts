export { type AuthorizationServer, type AuthorizationServerOptions, createAuthorizationServer } from './app.js';
export { hashPassword, verifyPassword } from './browser/password-hash.js';
export type { Clock } from './clock.js';
export { ConfigError, resolveServerConfig, type ServerConfig, type ServerSettings } from './config.js';
export { listen, type RunningHttpServer } from './http/listen.js';
export { createLogger } from './logger.js';
