import { getLogger } from '@logtape/logtape'
import { z } from 'zod'
import type { AgentConfig } from '../config/gateway-config'
import type { ApprovalDecision, ApprovalOutcome, ChannelAgent, IncomingMessage, WebChannel } from '../hub/channel'
import type { RunMessageOptions, TurnOutcome } from '../hub/turn-outcome'
import { GatewayError } from '../lib/errors'
import { KeyedQueue } from '../lib/keyed-queue'
import { titleOf } from '../lib/text'
import type { Clock } from '../lib/time'
import { LlmError, NOT_CONFIGURED_MESSAGE } from '../llm/errors'
import type { LlmProvider } from '../llm/provider'
import type { EventBus } from '../ports/event-bus'
import { noopTracing, type Tracing } from '../ports/tracing'
import { appEvent } from '../protocol/events'
import type { ApprovalRecord, TurnRecord, TurnStore } from '../services/chat/port'
import type { UsagePort } from '../services/usage/port'
import type { ToolRegistry } from '../tools/tool-registry'
import type { ContextContributors } from './context-contributors'
import { type LoopResult, runAgentLoop } from './loop/agent-loop'
import { systemPrompt, turnMessages } from './turn-context'
import { TurnEvents } from './turn-events'
import { TurnLeases } from './turn-leases'
import { ApprovalExpiry } from './approval-expiry'
import { settleTurn } from './turn-settle'
import { channelOf, describeError, newTurn, stateOf } from './turn-state'

const log = getLogger(['gateway', 'agent'])

export interface DefaultAgentOptions {
  channel: WebChannel
  /** Where turns are kept (the gateway's `services.turns`). */
  turns: TurnStore
  tools: ToolRegistry
  contributors: ContextContributors
  /** Read at each call, so a provider or ledger wired later is used. */
  llm: () => LlmProvider | undefined
  usage: () => UsagePort | undefined
  config: AgentConfig
  /** Cap on output tokens per model call. */
  maxTokens: number
  clock: Clock
  /**
   * True when no other gateway uses the database (SQLite, locked data dir): at start every turn
   * left `processing` is from a dead process. Otherwise only turns whose lease ran out are.
   */
  exclusive: boolean
  /** How long a running turn's lease lasts (default `config.turnLeaseMs`); renewed, and peers' turns checked, at a quarter of it. */
  leaseMs?: number
  /** Carries cancels to the instance running the turn (PostgreSQL: across instances). */
  bus?: Pick<EventBus, 'publishControl' | 'onControl'> | undefined
  /** A span per turn, with its model and tool calls as children; none without it. */
  tracing?: Tracing | undefined
}

const CANCEL_TOPIC = 'agent.cancel'
const CancelPayload = z.object({ userId: z.string(), threadId: z.string() })

interface Running {
  controller: AbortController
  userId: string
  turnId: string
}

const STOP_COMMANDS = new Set(['/stop', '/interrupt', '/cancel'])

const recipientOf = (approval: ApprovalRecord) => ({ userId: approval.user_id, threadId: approval.thread_id })

/**
 * The default agent behind the gateway channel. Per message: load the thread, build the context
 * (system prompt + context contributors, earlier turns, the user's tools), run the turn loop with
 * events streamed to the user, persist the turn, emit `turn_cost`. Turns of one thread run one at
 * a time, in order. A tool call that needs approval pauses the turn (persisted); the answer, even
 * after a restart, resumes it from where it stopped.
 *
 * Routines and embedders await a turn with `runMessage(message)`; the loop itself, without any
 * channel, is `runAgentLoop` (for jobs).
 */
export class DefaultAgent implements ChannelAgent {
  /** Turns of one thread run one at a time, in order. */
  readonly #queue = new KeyedQueue()
  readonly #running = new Map<string, Running>()
  /** Callers of `runMessage` waiting through a paused turn, by turn id. */
  readonly #waiting = new Map<string, Array<(outcome: TurnOutcome) => void>>()
  readonly #events: TurnEvents
  readonly #turns: TurnStore
  readonly #options: DefaultAgentOptions
  readonly #leases: TurnLeases
  readonly #expiry: ApprovalExpiry
  #offControl: (() => void) | undefined
  #closed = false

  private constructor(options: DefaultAgentOptions) {
    this.#options = options
    this.#turns = options.turns
    this.#events = new TurnEvents(options.channel)
    this.#leases = new TurnLeases(options.turns, options.clock, options.leaseMs ?? options.config.turnLeaseMs, this.#events)
    this.#expiry = new ApprovalExpiry({
      turns: options.turns,
      clock: options.clock,
      ttlMs: options.config.approvalTtlMs,
      events: this.#events,
      endTurn: (approval, message) => this.#endExpired(approval, message),
    })
    this.#offControl = options.bus?.onControl((message) => {
      if (message.kind !== 'custom' || message.topic !== CANCEL_TOPIC) return
      const request = CancelPayload.safeParse(message.payload)
      if (request.success) this.#abortLocal(request.data)
    })
  }

  /** Creates the agent; turns left running by a stopped process are marked interrupted. */
  static async create(options: DefaultAgentOptions): Promise<DefaultAgent> {
    const agent = new DefaultAgent(options)
    const running = () =>
      [...agent.#running.entries()].map(([threadId, r]) => ({
        turnId: r.turnId,
        // Only if that turn still runs here (not one begun since in the same thread).
        stop: () => void (agent.#running.get(threadId) === r && r.controller.abort('swept')),
      }))
    await agent.#leases.start({ exclusive: options.exclusive, running })
    await agent.#expiry.sweep()
    agent.#expiry.start()
    return agent
  }

  /** Expires the approvals nobody answered in time now (a timer does it every quarter of their lifetime, at most every minute). */
  expireApprovals(): Promise<number> {
    return this.#expiry.sweep()
  }

  /** Marks `interrupted` the turns a dead process left `processing` (all of them, or those whose lease ran out). */
  sweep(options: { all: boolean } = { all: false }): Promise<number> {
    return this.#leases.sweep(options)
  }

  /** Renews this instance's leases and sweeps dead peers' turns now (a timer does it on PostgreSQL). */
  heartbeat(): Promise<void> {
    return this.#leases.heartbeat()
  }

  onMessage(message: IncomingMessage): void {
    if (STOP_COMMANDS.has(message.content.trim().toLowerCase()) && message.images.length === 0) {
      void this.#stop(message)
      return
    }
    void this.runMessage(message)
  }

  /**
   * Runs one message as a turn and resolves when it ends (never rejects). By default it waits
   * through an approval pause until the user answers; `untilApproval` returns at the pause.
   */
  async runMessage(message: IncomingMessage, options: RunMessageOptions = {}): Promise<TurnOutcome> {
    const outcome = await this.#queue.run(message.threadId, () => this.#start(message))
    if (outcome.status !== 'awaiting_approval' || options.untilApproval || !outcome.turnId) return outcome
    const turnId = outcome.turnId
    return new Promise((resolve) => {
      const list = this.#waiting.get(turnId) ?? []
      list.push(resolve)
      this.#waiting.set(turnId, list)
    })
  }

  async onApproval(decision: ApprovalDecision): Promise<ApprovalOutcome> {
    const turns = this.#turns
    const approval = await turns.getApproval(decision.requestId)
    if (!approval || approval.user_id !== decision.userId) return 'not_found'
    if (decision.threadId !== undefined && decision.threadId.toLowerCase() !== approval.thread_id) return 'not_found'
    if (approval.status === 'expired') return 'expired'
    if (approval.status !== 'pending') return 'already_resolved'
    if (approval.expires_at !== null && approval.expires_at <= this.#now()) {
      // Due but not swept yet: it expires now, for everyone, and this answer is too late.
      await this.#expiry.sweep()
      return 'expired'
    }
    if (!approval.decisions.includes(decision.action)) return 'not_allowed'
    if (!(await turns.resolveApproval(approval.request_id, decision.action === 'deny' ? 'denied' : 'approved', this.#now(), decision.action))) {
      return (await turns.getApproval(approval.request_id))?.status === 'expired' ? 'expired' : 'already_resolved'
    }
    if (decision.action === 'always') await turns.allowAlways(approval.user_id, approval.tool_name, this.#now())
    await this.#events.emit(recipientOf(approval), appEvent('approval_resolved', { request_id: approval.request_id, action: decision.action, thread_id: approval.thread_id }))
    void this.#queue.run(approval.thread_id, () => this.#resume(approval, decision.action === 'deny' ? 'deny' : 'approve'))
    return 'resolved'
  }

  async onCancel(request: { userId: string; threadId: string }): Promise<boolean> {
    if (this.#abortLocal(request)) return true
    const turns = this.#turns
    const bus = this.#options.bus
    const active = await turns.activeTurn(request.threadId)
    if (active?.state === 'processing' && active.user_id === request.userId && bus) {
      // Running on another instance: the one running it aborts it and emits `turn_cancelled`.
      await bus.publishControl({ kind: 'custom', topic: CANCEL_TOPIC, payload: request })
      return true
    }
    const pending = await turns.pendingApproval(request.threadId)
    if (!pending || pending.user_id !== request.userId) return false
    if (!(await turns.resolveApproval(pending.request_id, 'cancelled', this.#now()))) return false
    await this.#events.emit(recipientOf(pending), appEvent('approval_resolved', { request_id: pending.request_id, action: 'cancelled', thread_id: pending.thread_id }))
    const turn = await turns.getTurn(pending.turn_id)
    if (turn && turn.state === 'awaiting_approval') await this.#settle(turn, { status: 'cancelled', state: stateOf(turn, []) }, 'user')
    return true
  }

  /** The turn that waited for an expired approval ends (stored `interrupted`); callers waiting for it learn it. */
  #endExpired(approval: ApprovalRecord, message: string): Promise<void> {
    return this.#queue.run(approval.thread_id, async () => {
      const turn = await this.#turns.getTurn(approval.turn_id)
      if (!turn || turn.state !== 'awaiting_approval' || turn.pending_calls?.[0]?.id !== approval.call_id) return
      const at = this.#now()
      await this.#turns.settleTurn(turn, { state: 'interrupted', pending_calls: null, error: message, completed_at: at }, at)
      this.#finish({
        status: 'failed', threadId: turn.thread_id, turnId: turn.id, text: turn.response ?? '', inputTokens: turn.input_tokens,
        outputTokens: turn.output_tokens, costUsd: turn.cost_usd, model: turn.model, error: { code: 'approval_expired', message },
      })
    })
  }

  #abortLocal(request: { userId: string; threadId: string }): boolean {
    const running = this.#running.get(request.threadId)
    if (!running || running.userId !== request.userId) return false
    running.controller.abort('user')
    return true
  }

  /** Whether a turn of the thread is running now (not paused). */
  isRunning(threadId: string): boolean {
    return this.#running.has(threadId)
  }

  /** Resolves when no turn is running or queued. */
  idle(): Promise<void> {
    return this.#queue.idle()
  }

  /** Stops running turns (they are persisted as interrupted) and waits briefly for them to settle. */
  async close(): Promise<void> {
    this.#closed = true
    this.#leases.stop()
    this.#expiry.stop()
    this.#offControl?.()
    for (const running of this.#running.values()) running.controller.abort('shutdown')
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 2_000))])
  }

  // --- turns ---

  async #start(message: IncomingMessage): Promise<TurnOutcome> {
    const to = { userId: message.userId, threadId: message.threadId }
    const blank: TurnOutcome = { status: 'failed', threadId: message.threadId, turnId: undefined, text: '', inputTokens: 0, outputTokens: 0, costUsd: 0, model: null }
    try {
      if (this.#closed) throw new GatewayError(503, 'shutting_down', 'The gateway is shutting down')
      const pending = await this.#turns.pendingApproval(message.threadId)
      if (pending && pending.user_id === message.userId) {
        const text =
          `Waiting for approval of the tool "${pending.tool_name}" (${pending.description}). ` +
          'Approve or deny it first; this message was not sent to the agent, send it again afterwards.'
        await this.#events.emit(to, appEvent('response', { content: text, thread_id: message.threadId }))
        return { ...blank, status: 'blocked', text }
      }
      const turn = await this.#turns.startTurn(newTurn(message, this.#now()), {
        leaseUntil: this.#leases.leaseEnd(),
        channel: channelOf(message.source),
        title: titleOf(message.content),
      })
      return await this.#execute(turn)
    } catch (error) {
      const { code, message: text } = describeError(error)
      await this.#events.emit(to, appEvent('error', { message: text, code, thread_id: message.threadId }))
      return { ...blank, error: { code, message: text } }
    }
  }

  async #resume(approval: ApprovalRecord, decision: 'approve' | 'deny'): Promise<TurnOutcome | undefined> {
    const turn = await this.#turns.getTurn(approval.turn_id)
    if (!turn || turn.state !== 'awaiting_approval' || turn.pending_calls?.[0]?.id !== approval.call_id) return undefined
    await this.#turns.resumeTurn(turn.id, this.#leases.leaseEnd())
    try {
      return await this.#execute({ ...turn, state: 'processing' }, new Map([[approval.call_id, decision]]))
    } catch (error) {
      log.error('resuming turn {turnId} failed: {error}', { turnId: turn.id, error })
      return this.#settle(turn, { status: 'failed', state: stateOf(turn, []), error: error as Error })
    }
  }

  /** Runs the loop for a new or resumed turn and settles it. */
  async #execute(turn: TurnRecord, decisions?: ReadonlyMap<string, 'approve' | 'deny'>): Promise<TurnOutcome> {
    const o = this.#options
    const llm = o.llm()
    if (!llm) {
      return this.#settle(turn, { status: 'failed', state: stateOf(turn, []), error: new LlmError('not_configured', NOT_CONFIGURED_MESSAGE) })
    }
    const controller = new AbortController()
    this.#running.set(turn.thread_id, { controller, userId: turn.user_id, turnId: turn.id })
    const turns = this.#turns
    const span = (o.tracing ?? noopTracing).startSpan('agent.turn', {
      'gateway.turn.id': turn.id,
      'gateway.thread.id': turn.thread_id,
      'enduser.id': turn.user_id,
      'gateway.turn.resumed': decisions !== undefined,
    })
    try {
      const state = stateOf(turn, await turnMessages(turns, turn, llm, o.config))
      if (state.text) turns.streamed(turn.id, state.text)
      const [tools, contributions] = await Promise.all([
        o.tools.list(turn.user_id),
        o.contributors.collect({ userId: turn.user_id, threadId: turn.thread_id, message: turn.user_input, signal: controller.signal }),
      ])
      const usage = o.usage()
      const result = await runAgentLoop({
        llm,
        system: systemPrompt(o.config, { now: o.clock.now(), timezone: turn.timezone ?? undefined, contributions }),
        state,
        tools,
        context: { userId: turn.user_id, threadId: turn.thread_id, timezone: turn.timezone ?? undefined },
        signal: controller.signal,
        maxSteps: o.config.maxSteps,
        maxTokens: o.maxTokens,
        decisions,
        approval: async (_call, tool) => ((await turns.isAlwaysAllowed(turn.user_id, tool.name)) ? 'approve' : 'pause'),
        beforeModelCall: usage ? () => usage.assertWithinBudget(turn.user_id) : undefined,
        observer: this.#events.observer(turn, { turns, usage }),
        span,
      })
      // The loop is over: a cancel from now on finds nothing running.
      this.#running.delete(turn.thread_id)
      span.setAttributes({ 'gateway.turn.status': result.status, 'gateway.turn.steps': result.state.steps })
      if (result.status === 'failed') span.fail(result.error.message)
      return await this.#settle(turn, result, controller.signal.reason as string | undefined)
    } catch (error) {
      // A store or registry failure outside the loop: the turn must not stay `processing`.
      span.fail(error instanceof Error ? error.message : String(error))
      return await this.#settle(turn, { status: 'failed', state: stateOf(turn, []), error: error instanceof Error ? error : new Error(String(error)) })
    } finally {
      span.end()
      this.#running.delete(turn.thread_id)
      turns.streamEnded(turn.id)
    }
  }

  /** Persists how the loop ended and tells the user; callers waiting for the turn learn it unless it paused. */
  async #settle(turn: TurnRecord, result: LoopResult, cancelReason?: string): Promise<TurnOutcome> {
    const outcome = await settleTurn(this.#turns, this.#events, turn, result, { at: this.#now(), cancelReason, approvalTtlMs: this.#expiry.ttlMs })
    return outcome.status === 'awaiting_approval' ? outcome : this.#finish(outcome)
  }

  #finish(outcome: TurnOutcome): TurnOutcome {
    if (outcome.turnId) {
      for (const resolve of this.#waiting.get(outcome.turnId) ?? []) resolve(outcome)
      this.#waiting.delete(outcome.turnId)
    }
    return outcome
  }

  async #stop(message: IncomingMessage): Promise<void> {
    const stopped = await this.onCancel({ userId: message.userId, threadId: message.threadId })
    if (!stopped) await this.#events.emit(message, appEvent('status', { message: 'Nothing is running in this thread.', thread_id: message.threadId }))
  }

  #now(): string {
    return new Date(this.#options.clock.now()).toISOString()
  }
}

