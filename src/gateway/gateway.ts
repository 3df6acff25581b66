import type { Hono } from 'hono'
import type { Authenticator } from '../auth/authenticator'
import type { GatewayConfig, GatewayConfigInput } from '../config/gateway-config'
import type { ContextContributors } from '../agent/context-contributors'
import type { DefaultAgent } from '../agent/default-agent'
import type { EventHub } from '../hub/event-hub'
import type { ChannelAgent, WebChannel } from '../hub/channel'
import type { GatewayLogging } from '../logging/gateway-logging'
import type { OriginPolicy } from '../middleware/origin-policy'
import type { EventBus } from '../ports/event-bus'
import type { GatewayEnv } from '../ports/env'
import type { RuntimeCapabilities } from '../ports/runtime'
import type { Tracing } from '../ports/tracing'
import type { ChatCommands } from '../routes/chat-commands'
import type { Services } from '../services/services'
import type { ModelCallBudget } from '../lib/model-call-budget'
import type { Store } from '../store/database'
import type { ToolRegistry } from '../tools/tool-registry'

export interface GatewayOptions {
  /** Configuration; defaults as in the README (`loadConfig(env, argv)` reads env and flags). */
  config?: GatewayConfigInput | GatewayConfig
  /** What the runtime adapter provides (WebSocket upgrade, fast sinks, hashing). */
  runtime?: RuntimeCapabilities
  /**
   * The database (opened by the adapter). With it, events persist for replay across restarts and
   * the default subsystems are created. `gateway.close()` closes it.
   */
  store?: Store | undefined
  /**
   * Event transport between producers and streams: persisted with a store (and shared by every
   * instance on PostgreSQL), else in-process.
   */
  bus?: EventBus
  /** Subsystems, replacing the defaults; set one to `undefined` to disable it (503). */
  services?: Partial<Services>
  /**
   * An agent to attach to the channel at once. Without one, the default agent (LLM + tools +
   * approvals) is attached whenever the default threads service (a store) is there.
   */
  agent?: ChannelAgent
  /**
   * The path the gateway is served under when the host passes whole URLs to `gateway.fetch`
   * (a runtime's HTTP server, a proxy that keeps the prefix): `'/agent'`. Not needed
   * when a Hono app mounts `gateway.app` with `host.route('/agent', gateway.app)`.
   */
  basePath?: string
  /**
   * The process's logging (`new GatewayLogging()` + `configureLogging`), for the live log stream,
   * the run-time level and redaction; without it `/api/logs/*` answer 503.
   */
  logging?: GatewayLogging
  /**
   * Where spans go (HTTP requests, turns, model and tool calls). Without it none is built; the
   * adapters' CLI passes an OpenTelemetry one when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
   * `gateway.close()` flushes it.
   */
  tracing?: Tracing
}

export interface Gateway {
  /** The Hono app: mount it (`host.route('/agent', gateway.app)`) or serve it. */
  readonly app: Hono<GatewayEnv>
  /** `options.basePath`, normalised (`''` at the root). */
  readonly basePath: string
  /** Fetch handler for any Fetch-API server. */
  readonly fetch: (request: Request, env?: unknown, ctx?: unknown) => Response | Promise<Response>
  readonly hub: EventHub
  /** The agent-facing channel: messages in, events out. */
  readonly channel: WebChannel
  readonly config: GatewayConfig
  readonly services: Services
  readonly store: Store | undefined
  /** Every tool the agent can call, from all providers. */
  readonly tools: ToolRegistry
  /** Text added to the default agent's system prompt per message (skills add theirs here). */
  readonly contextContributors: ContextContributors
  /** The default agent, when it was created (see `GatewayOptions.agent`). */
  readonly defaultAgent: DefaultAgent | undefined
  readonly origins: OriginPolicy
  readonly auth: Authenticator
  readonly commands: ChatCommands
  /** The per-user model-call budget every path that starts model calls draws from. */
  readonly budget: ModelCallBudget
  /** The owner's token, when the gateway generated it (print it once). */
  readonly generatedToken: string | undefined
  /** Wires subsystems after creation; routes pick them up on the next request. */
  withServices(services: Partial<Services>): Gateway
  /** Attaches an agent to the channel (replacing any other). */
  withAgent(agent: ChannelAgent): Gateway
  /** Runs `fn` on `close()`, last registered first. */
  onClose(fn: () => void | Promise<void>): void
  /** Ends every stream (final `shutdown` event, WS 1001) and stops background work. */
  close(): Promise<void>
}
