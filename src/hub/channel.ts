import { errorMessage, GatewayError } from '../lib/errors'
import type { EventHub } from './event-hub'
import type { PreparedEvent } from '../ports/prepared-event'
import { type AppEvent, appEvent, eventShapes } from '../protocol/events'
import type { ApprovalAction, ImageAttachment } from '../protocol/chat'
import type { RunMessageOptions, TurnOutcome } from './turn-outcome'

/** A chat message on its way to the agent. Always carries the user and a thread. */
export interface IncomingMessage {
  id: string
  userId: string
  threadId: string
  content: string
  images: ImageAttachment[]
  timezone?: string | undefined
  /** Where it came from: the web app (REST or WS), a routine, a job follow-up... */
  source: 'http' | 'ws' | 'routine' | 'job' | 'api'
  receivedAt: string
  metadata?: Record<string, unknown>
}

export interface ApprovalDecision {
  userId: string
  requestId: string
  action: ApprovalAction
  threadId?: string | undefined
}

/**
 * `resolved` = this answer won; `not_found` = unknown (or another user's) request;
 * `already_resolved` = stale; `expired` = nobody answered in time; `not_allowed` = a decision
 * the request was not created with (`always` for a tool that allows no standing approval).
 */
export type ApprovalOutcome = 'resolved' | 'not_found' | 'already_resolved' | 'expired' | 'not_allowed'

/**
 * The agent's side of the gateway. An embedding app plugs its own agent in with
 * `gateway.channel.attach(agent)`; the default agent (LLM + tools) attaches the same way.
 */
export interface ChannelAgent {
  /** A chat message. Start the turn and return; output goes out through the channel. */
  onMessage(message: IncomingMessage): void | Promise<void>
  /** An answer to an `approval_needed` event. The first answer wins. */
  onApproval?(decision: ApprovalDecision): Promise<ApprovalOutcome>
  /** Stops the running turn of a thread; resolves true when one was running. */
  onCancel?(request: { userId: string; threadId: string }): Promise<boolean>
  /** Runs a message and resolves with how its turn ended (routines await turns this way). */
  runMessage?(message: IncomingMessage, options?: RunMessageOptions): Promise<TurnOutcome>
}

/** Where a reply goes: the user and (for chat events) the thread. */
export interface Recipient {
  userId: string
  threadId?: string | undefined
}

/**
 * The agent-facing channel: messages in, events out. Every event it publishes is scoped to one
 * user, except `broadcast`. An embedder's agent gets messages through `attach` (or
 * `gateway.withAgent`) and answers through the events it sends.
 *
 * @example
 * ```ts
 * gateway.withAgent({
 *   async onMessage(message) {
 *     await gateway.channel.sendStatus(message, { type: 'thinking', message: 'Looking it up' })
 *     await gateway.channel.respond(message, await lookUp(message.content))
 *   },
 * })
 * ```
 */
export class WebChannel {
  #agent: ChannelAgent | undefined
  readonly #observers = new Set<(message: IncomingMessage) => void | Promise<void>>()

  constructor(readonly hub: EventHub) {}

  /** Plugs an agent in. Returns a function that unplugs it. */
  attach(agent: ChannelAgent): () => void {
    this.#agent = agent
    return () => {
      if (this.#agent === agent) this.#agent = undefined
    }
  }

  get agent(): ChannelAgent | undefined {
    return this.#agent
  }

  /**
   * Consumes messages as an async iterator instead of callbacks:
   * `for await (const msg of gateway.channel.messages()) await gateway.channel.respond(msg, 'hi')`.
   */
  messages(options: { signal?: AbortSignal } = {}): AsyncIterable<IncomingMessage> {
    const queue: IncomingMessage[] = []
    let wake: (() => void) | undefined
    const detach = this.attach({
      onMessage: (message) => {
        queue.push(message)
        wake?.()
      },
    })
    const signal = options.signal
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          while (!signal?.aborted) {
            const next = queue.shift()
            if (next) {
              yield next
              continue
            }
            await new Promise<void>((resolve) => {
              wake = resolve
              signal?.addEventListener('abort', () => resolve(), { once: true })
            })
            wake = undefined
          }
        } finally {
          detach()
        }
      },
    }
  }

  /**
   * Sees every message handed to the agent (event routines match them). Observers run beside the
   * agent, never delay or fail a delivery. Returns a function that stops observing.
   */
  observe(observer: (message: IncomingMessage) => void | Promise<void>): () => void {
    this.#observers.add(observer)
    return () => this.#observers.delete(observer)
  }

  /** Hands a message to the agent (503 when none is attached). Used by REST, WS and routines. */
  async deliver(message: IncomingMessage): Promise<void> {
    const agent = this.#agent
    if (!agent) throw new GatewayError(503, 'agent_unavailable', 'Channel not started: no agent is attached to the gateway')
    for (const observer of this.#observers) void Promise.resolve().then(() => observer(message)).catch(() => undefined)
    try {
      await agent.onMessage(message)
    } catch (error) {
      await this.sendStatus(message, appEvent('error', { message: errorMessage(error), thread_id: message.threadId }))
    }
  }

  /**
   * Runs a message as a turn and resolves with how it ended (the agent model on `/v1`, the UI
   * message stream): observers see it as they see a delivered one. 503 when the attached agent
   * cannot run a message to completion.
   */
  async run(message: IncomingMessage, options?: RunMessageOptions): Promise<TurnOutcome> {
    const agent = this.#agent
    if (!agent?.runMessage) throw new GatewayError(503, 'agent_unavailable', 'No attached agent can run a message to completion')
    for (const observer of this.#observers) void Promise.resolve().then(() => observer(message)).catch(() => undefined)
    return agent.runMessage(message, options)
  }

  /** The final reply of a turn: a `response` event in the message's thread. */
  async respond(to: Recipient, content: string): Promise<void> {
    if (!to.threadId) throw new Error('respond() needs a thread id so the reply is never dropped')
    await this.hub.publish(to.userId, appEvent('response', { content, thread_id: to.threadId }))
  }

  /** Any event to one user's streams (thread-tagged when the recipient names a thread). */
  async sendStatus(to: Recipient, event: AppEvent): Promise<PreparedEvent> {
    const untagged = 'thread_id' in eventShapes[event.type] && (event as { thread_id?: string }).thread_id === undefined
    const tagged = to.threadId !== undefined && untagged ? ({ ...event, thread_id: to.threadId } as AppEvent) : event
    return this.hub.publish(to.userId, tagged)
  }

  /** An event to every user (system-wide notices only; user data never goes this way). */
  async broadcast(event: AppEvent): Promise<void> {
    await this.hub.broadcast(event)
  }
}
