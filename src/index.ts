/**
 * The runtime-agnostic gateway: `createGateway()` returns a Hono app / Fetch handler. Serve it with
 * an adapter (`agent-gateway/node`, `adapters/bun`, `adapters/deno`) or mount it in your own app.
 */
export { createGateway, type Gateway, type GatewayOptions } from './gateway/create-gateway'
export { WebChannel, type ChannelAgent, type IncomingMessage, type ApprovalDecision, type ApprovalOutcome, type Recipient } from './gateway/web-channel'
export type { RuntimeCapabilities } from './gateway/runtime'
export type { Services, ThreadDirectory, ExtensionAuth, SecretsPort } from './gateway/services'
export type { GatewayEnv } from './gateway/env'
export { ChatCommands } from './gateway/chat-commands'
export { GatewayConfig, loadConfig, parseFlags, type GatewayConfigInput, type LogLevel } from './config'
export { GatewayError } from './lib/errors'
export type { Principal, TokenResolver, Role } from './auth/principal'
export { Authenticator } from './auth/authenticator'
export * from './hub'
export * from './protocol'
export { VERSION } from './version'
export * from './store/index'
export type { ServiceContext } from './services/service-context'
export * from './agent/tools/tool'
export { ToolRegistry } from './agent/tools/tool-registry'
export { UsageService, type UsageRecord } from './services/usage/usage-service'
export * from './services/jobs/index'
