import type { ToolRegistry } from '../tools/tool-registry'
import type { RunMessageOptions, TurnOutcome } from '../hub/turn-outcome'
import type { IncomingMessage } from '../hub/channel'
import type { Authenticator } from '../auth/authenticator'
import type { GatewayConfig } from '../config/gateway-config'
import type { RuntimeCapabilities } from '../ports/runtime'
import type { WebChannel } from '../hub/channel'
import type { EventHub } from '../hub/event-hub'
import type { Clock } from '../lib/time'
import type { ModelCallBudget } from '../lib/model-call-budget'
import type { GatewayLogging } from '../logging/gateway-logging'
import type { Store } from '../store/database'

/**
 * What a default service factory gets from the composition root. A factory that needs a sibling
 * subsystem takes it by name as a getter (`secrets: () => SecretsPort | undefined`), read at call
 * time, so whichever implementation is finally wired (a default or an embedder's) is used.
 */
export interface ServiceContext {
  config: GatewayConfig
  store: Store | undefined
  hub: EventHub
  channel: WebChannel
  auth: Authenticator
  runtime: RuntimeCapabilities
  clock: Clock
  /** The per-user model-call budget: a service that starts model work for a user draws from it first. */
  budget: ModelCallBudget
  /** The process's logging (level, redactor, live feed), when the entry point set it up. */
  logging?: GatewayLogging | undefined
  /** Every tool the agent can call; services add their providers. */
  tools: ToolRegistry
  /**
   * Runs a message through the attached agent and resolves with how the turn ended (routines
   * deliver their prompt this way). 503 `agent_unavailable` when the agent cannot be awaited.
   */
  runMessage(message: IncomingMessage, options?: RunMessageOptions): Promise<TurnOutcome>
  /**
   * Runs `fn` once the gateway is assembled (every service wired, the agent attached): start
   * background work that may call siblings or the agent (the routine scheduler).
   */
  onStart(fn: () => void | Promise<void>): void
  /** Registers cleanup for `gateway.close()` (timers, child processes, connections). */
  onClose(fn: () => void | Promise<void>): void
  /** Registers how this service erases a user's data when the user is deleted. */
  onDeleteUser(fn: (userId: string) => Promise<void>): void
  /** Runs every registered eraser (the users service calls this on DELETE /api/admin/users/{id}). */
  deleteUserData(userId: string): Promise<void>
}
