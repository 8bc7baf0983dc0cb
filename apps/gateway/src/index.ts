export { createApp } from './app.ts';
export { ChatTokens } from './chat-tokens.ts';
export { type GatewayConfig, loadGatewayConfig } from './config.ts';
export type { GatewayDependencies } from './dependencies.ts';
