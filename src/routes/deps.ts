import type { ToolRegistry } from '../tools/tool-registry'
import type { Authenticator } from '../auth/authenticator'
import type { GatewayConfig } from '../config/gateway-config'
import type { EventHub } from '../hub/event-hub'
import type { Clock } from '../lib/time'
import type { OriginPolicy } from '../middleware/origin-policy'
import type { ModelCallBudget } from '../lib/model-call-budget'
import type { ChatCommands } from './chat-commands'
import type { RuntimeCapabilities } from '../ports/runtime'
import type { Services } from '../services/services'
import type { WebChannel } from '../hub/channel'

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
