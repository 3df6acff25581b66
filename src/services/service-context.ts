import type { ContextContributors } from '../agent/context-contributors'
import type { ToolRegistry } from '../agent/tools/tool-registry'
import type { RunMessageOptions, TurnOutcome } from '../agent/turn-outcome'
import type { IncomingMessage } from '../gateway/web-channel'
import type { Authenticator } from '../auth/authenticator'
import type { GatewayConfig } from '../config'
import type { RuntimeCapabilities } from '../gateway/runtime'
import type { Services } from '../gateway/services'
import type { WebChannel } from '../gateway/web-channel'
import type { EventHub } from '../hub/event-hub'
import type { Clock } from '../lib/time'
import type { ModelCallBudget } from './usage/model-call-budget'
import type { GatewayLogging } from '../logging/gateway-logging'
import type { Store } from '../store/database'

/** What a default service factory gets from the composition root. */
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
  /**
   * The gateway's subsystems as finally wired (defaults, then `createGateway({ services })` and
   * `withServices()`): read a sibling at call time, e.g. `ctx.services?.secrets`.
   */
  services?: Services | undefined
  /** Every tool the agent can call; services add their providers. */
  tools: ToolRegistry
  /** Text added to the agent's system prompt per message (skills add their instructions here). */
  contextContributors: ContextContributors
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
