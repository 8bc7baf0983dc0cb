export { createApp } from './app.ts';
export { ChatTokens } from './chat-tokens.ts';
export { GATEWAY_SETTINGS, type GatewayConfig, loadGatewayConfig } from './config.ts';
export type { GatewayDependencies } from './dependencies.ts';
export { startGatewayProcess } from './gateway-process.ts';
