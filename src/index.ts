/**
 * `agent-gateway`: the runtime-agnostic gateway. `createGateway()` returns a Hono app and a Fetch
 * handler; serve it with a runtime adapter (`agent-gateway/node`, `/bun`, `/deno`) or mount it in
 * your own app. This entry holds the gateway, its configuration and errors, the agent channel,
 * and the ports an embedder implements; the rest ships as subpaths:
 * `agent-gateway/protocol` (every request, response and event schema), `/agent` (the agent loop,
 * tools, LLM providers), `/ports` (the runtime contracts an adapter implements), `/store` (the
 * database and event buses).
 *
 * @example
 * ```ts
 * import { createGateway } from 'agent-gateway'
 *
 * const gateway = await createGateway({ config: { authToken: 'a-long-random-token' } })
 * gateway.withAgent({ onMessage: (m) => gateway.channel.respond(m, `You said: ${m.content}`) })
 * export default { fetch: gateway.fetch }
 * ```
 * @module
 */

// The gateway, its configuration, errors and logging.
export { createGateway } from './gateway/create-gateway'
export type { Gateway, GatewayOptions } from './gateway/gateway'
export { GatewayConfig, loadConfig, parseFlags, type GatewayConfigInput } from './config/gateway-config'
export { GatewayError } from './lib/errors'
export { GatewayLogging, configureLogging, type GatewayLoggingOptions } from './logging/gateway-logging'
export { VERSION } from './version'

// The channel an embedder's own agent talks through.
export { WebChannel, type ChannelAgent, type IncomingMessage, type ApprovalDecision, type ApprovalOutcome, type Recipient } from './hub/channel'
export type { TurnOutcome, RunMessageOptions } from './hub/turn-outcome'
export type { AppEvent } from './protocol/events'

// The subsystems an embedder can replace: `createGateway({ services: { jobs: myJobs } })`.
export type { Services } from './services/services'
export type { ThreadsPort, TurnStore, TurnRecord, ThreadRecord, ApprovalRecord } from './services/chat/port'
export type { JobsPort, JobRef, JobWorkspace, LinkScope } from './services/jobs/port'
export type { RoutinesPort } from './services/routines/port'
export type { UsagePort, UsageRecord } from './services/usage/port'
export type { MemoryPort, MemoryChange } from './services/memory/port'
export type { SkillsPort } from './services/skills/port'
export type { ExtensionsPort, ExtensionAuth } from './services/extensions/port'
export type { SettingsPort } from './services/settings/port'
export type { LogsPort, LogStreamReservation } from './services/logs/port'
export type { UsersPort, TokensPort } from './services/users/port'
export type { SecretsPort, SecretOptions } from './services/secrets/port'
export type { PairingPort, PairingOutcome, PairingApproval } from './services/pairing/port'
export type { LlmProvider } from './llm/provider'

// What the ports above write to, and what a host passes in.
export { PreparedEvent } from './ports/prepared-event'
export type { EventSink } from './ports/event-sink'
export type { RuntimeCapabilities } from './ports/runtime'
export type { GatewayEnv } from './ports/env'
export type { EventBus } from './ports/event-bus'
export type { Store } from './store/database'
