/**
 * The runtime-agnostic gateway: `createGateway()` returns a Hono app / Fetch handler. Serve it with
 * an adapter (`agent-gateway/node`, `adapters/bun`, `adapters/deno`) or mount it in your own app.
 */
export { createGateway, type Gateway, type GatewayOptions } from './gateway/create-gateway'
export { WebChannel, type ChannelAgent, type IncomingMessage, type ApprovalDecision, type ApprovalOutcome, type Recipient } from './hub/channel'
export type { RuntimeCapabilities, PinnedRequest } from './ports/runtime'
export type { Services } from './services/services'
export type { SecretsPort, SecretOptions } from './services/secrets/port'
export type { ExtensionAuth, ExtensionsPort } from './services/extensions/port'
export type { ThreadsPort, TurnStore, TurnRecord, ThreadRecord, ApprovalRecord } from './services/chat/port'
export type { GatewayEnv } from './ports/env'
export { ChatCommands } from './routes/chat-commands'
export { GatewayConfig, loadConfig, parseFlags, type GatewayConfigInput } from './config/gateway-config'
export { GatewayError } from './lib/errors'
export type { ByteSink } from './ports/byte-sink'
export { createWebByteSink } from './hub/web-byte-sink'
export type { Principal, TokenResolver } from './ports/principal'
export { Authenticator } from './auth/authenticator'
export * from './hub'
export * from './protocol'
export { VERSION } from './version'
export * from './store/index'
export { StoreEventBus } from './bus/store-event-bus'
export { PostgresEventBus, type PostgresEventBusOptions } from './bus/postgres-event-bus'
export { openStoreEventBus } from './bus/open-event-bus'
export type { ServiceContext } from './services/service-context'
export * from './tools/tool'
export { ToolRegistry } from './tools/tool-registry'
export { UsageService } from './services/usage/usage-service'
export type { UsagePort, UsageRecord } from './services/usage/port'
export * from './llm/index'
export { DefaultAgent, type DefaultAgentOptions } from './agent/default-agent'
export type { TurnOutcome, RunMessageOptions } from './hub/turn-outcome'
export {
  runAgentLoop,
  emptyState,
  type LoopOptions,
  type LoopResult,
  type LoopState,
  type LoopObserver,
  type ApprovalPolicy,
  type ApprovalVerdict,
} from './agent/loop/agent-loop'
export { ContextContributors, type ContextContributor, type ContributionRequest } from './agent/context-contributors'
export { builtinTools, type BuiltinToolsOptions } from './tools/builtin/builtin-tools'
export { checkPublicUrl, publicAddressOnly, UnsafeUrlError, type AddressPolicy } from './net/public-address'
export { ThreadService } from './services/chat/thread-service'
export { ChatRepository } from './services/chat/chat-repository'
export { GatewayLogging, configureLogging, type GatewayLoggingOptions } from './logging/gateway-logging'
export { Redactor } from './logging/redactor'
export type { UsersPort, TokensPort } from './services/users/port'
export type { SettingsPort } from './services/settings/port'
export type { PairingPort, PairingOutcome, PairingApproval } from './services/pairing/port'
export type { LogsPort } from './services/logs/port'
export type { RoutinesPort } from './services/routines/port'
export type { SkillsPort } from './services/skills/port'
export type { DirectoryPort, DirectoryEntry, FileEntry, OpenDirectory } from './ports/directory'
export { checkRelativePath, DirectoryExistsError, UnsafePathError } from './ports/directory'
export { ArchiveError, DEFAULT_ARCHIVE_LIMITS, type ArchiveFormat, type ArchiveLimits, type UnpackArchive } from './ports/archive'
export type { McpStdioParams, McpStdioTransport, SpawnMcpStdio } from './ports/mcp-stdio'
export type { MemoryPort, MemoryChange } from './services/memory/port'
export type { MemoryLimits } from './services/memory/memory-limits'
export { MemoryService, type MemoryServiceOptions } from './services/memory/memory-service'
export { RoutinesService } from './services/routines/routines-service'
export { signWebhook } from './services/routines/webhook-signature'
export { OpenAIEmbeddingProvider, type EmbeddingProvider } from './services/memory/embedding-provider'
export { memoryToolProvider } from './services/memory/memory-tools'
export * from './services/jobs/index'
