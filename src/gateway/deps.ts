import type { ToolRegistry } from '../agent/tools/tool-registry'
import type { Authenticator } from '../auth/authenticator'
import type { GatewayConfig } from '../config'
import type { EventHub } from '../hub/event-hub'
import type { Clock } from '../lib/time'
import type { OriginPolicy } from '../middleware/origin-policy'
import type { ModelCallBudget } from '../services/usage/model-call-budget'
import type { ChatCommands } from './chat-commands'
import type { RuntimeCapabilities } from './runtime'
import type { Services } from './services'
import type { WebChannel } from './web-channel'

/** Everything a route factory may use; built once by `createGateway`. */
export interface RouteDeps {
  config: GatewayConfig
  hub: EventHub
  channel: WebChannel
  commands: ChatCommands
  services: Services
  runtime: RuntimeCapabilities
  origins: OriginPolicy
  auth: Authenticator
  clock: Clock
  /** The per-user model-call budget every path that starts model calls draws from. */
  budget: ModelCallBudget
  /** Every tool the agent can call (`GET /api/extensions/tools`). */
  tools: ToolRegistry
  startedAt: number
  version: string
  database: 'sqlite' | 'postgres' | 'none'
}
