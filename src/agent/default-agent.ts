import { getLogger } from '@logtape/logtape'
import { z } from 'zod'
import type { EventBus } from '../hub/event-bus'
import type { AgentConfig } from '../config'
import type { ApprovalDecision, ApprovalOutcome, ChannelAgent, IncomingMessage, WebChannel } from '../gateway/web-channel'
import { GatewayError } from '../lib/errors'
import { type Clock, unrefTimer } from '../lib/time'
import { appEvent } from '../protocol/events'
import type { ApprovalRecord, TurnRecord } from '../services/chat/records'
import { titleOf, type ThreadService } from '../services/chat/thread-service'
import type { UsageService } from '../services/usage/usage-service'
import type { ContextContributors } from './context-contributors'
import { LlmError, NOT_CONFIGURED_MESSAGE } from './llm/errors'
import type { LlmProvider } from './llm/provider'
import { type LoopResult, runAgentLoop } from './loop/agent-loop'
import type { ToolRegistry } from './tools/tool-registry'
import { historyMessages, systemPrompt, userMessage } from './turn-context'
import { TurnEvents } from './turn-events'
import type { RunMessageOptions, TurnOutcome } from './turn-outcome'
import { channelOf, describeError, newTurn, prettyJson, stateOf } from './turn-state'

const log = getLogger(['gateway', 'agent'])


export interface DefaultAgentOptions {
  channel: WebChannel
  threads: ThreadService
  tools: ToolRegistry
  contributors: ContextContributors
  /** Read at each call, so a provider or ledger wired later is used. */
  llm: () => LlmProvider | undefined
  usage: () => UsageService | undefined
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
}

const CANCEL_TOPIC = 'agent.cancel'
const CancelPayload = z.object({ userId: z.string(), threadId: z.string() })

interface Running {
  controller: AbortController
  userId: string
  turnId: string
}

const STOP_COMMANDS = new Set(['/stop', '/interrupt', '/cancel'])

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
  readonly #queues = new Map<string, Promise<unknown>>()
  readonly #running = new Map<string, Running>()
  /** Callers of `runMessage` waiting through a paused turn, by turn id. */
  readonly #waiting = new Map<string, Array<(outcome: TurnOutcome) => void>>()
  readonly #events: TurnEvents
  readonly #leaseMs: number
  #timer: ReturnType<typeof setInterval> | undefined
  #offControl: (() => void) | undefined
  #closed = false

  private constructor(private readonly o: DefaultAgentOptions) {
    this.#events = new TurnEvents(o.channel)
    this.#leaseMs = o.leaseMs ?? o.config.turnLeaseMs
    this.#offControl = o.bus?.onControl((message) => {
      if (message.kind !== 'custom' || message.topic !== CANCEL_TOPIC) return
      const request = CancelPayload.safeParse(message.payload)
      if (request.success) this.#abortLocal(request.data)
    })
  }

  /** Creates the agent; turns left running by a stopped process are marked interrupted. */
  static async create(options: DefaultAgentOptions): Promise<DefaultAgent> {
    const agent = new DefaultAgent(options)
    await agent.sweep({ all: options.exclusive })
    // Alone on the database (SQLite), nobody else can die mid-turn: the start's sweep is enough.
    // Otherwise our leases are renewed, and dead peers' turns swept, a few times per lease.
    if (!options.exclusive) {
      agent.#timer = unrefTimer(setInterval(() => void agent.heartbeat().catch((error: unknown) => log.warn('turn lease renewal failed: {error}', { error })), Math.max(500, Math.floor(agent.#leaseMs / 4))))
    }
    return agent
  }

  /**
   * Marks `interrupted` the turns a dead process left `processing` (all of them, or those whose
   * lease ran out), tells their users (`turn_interrupted`) and expires their pending approvals
   * (`approval_resolved` with `expired`). Never touches a turn this process is running.
   */
  async sweep(options: { all: boolean } = { all: false }): Promise<number> {
    const repo = this.o.threads.repo
    const now = this.#now()
    const mine = [...this.#running.values()].map((r) => r.turnId)
    const message = 'The gateway running this turn stopped before it finished'
    const stale = await repo.interruptStaleTurns(message, now, { all: options.all, except: mine })
    if (stale.length === 0) return 0
    log.info('marked {count} turn(s) left running by a stopped process as interrupted', { count: stale.length })
    const expired = await repo.expireApprovalsOf(stale.map((t) => t.id), now)
    for (const approval of expired) {
      await this.#events.emit(approval, appEvent('approval_resolved', { request_id: approval.requestId, action: 'expired', thread_id: approval.threadId }))
    }
    for (const turn of stale) {
      await this.#events.emit(turn, appEvent('turn_interrupted', { thread_id: turn.threadId, turn_id: turn.id, message, user_input: turn.userInput }))
    }
    return stale.length
  }

  /**
   * Renews the leases of the turns running here and sweeps dead peers' (on a timer with
   * PostgreSQL). A turn of ours that another instance swept meanwhile (our renewals stalled past
   * the lease) is stopped here without a word: its user was told `turn_interrupted` already, and
   * it must not answer after that or spend more model calls.
   */
  async heartbeat(): Promise<void> {
    const running = [...this.#running.entries()]
    const alive = await this.o.threads.repo.renewLeases(running.map(([, r]) => r.turnId), this.#leaseEnd())
    for (const [threadId, r] of running) {
      if (!alive.has(r.turnId) && this.#running.get(threadId) === r) r.controller.abort('swept')
    }
    await this.sweep()
  }

  #leaseEnd(): string {
    return new Date(this.o.clock.now() + this.#leaseMs).toISOString()
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
    const outcome = await this.#enqueue(message.threadId, () => this.#start(message))
    if (outcome.status !== 'awaiting_approval' || options.untilApproval || !outcome.turnId) return outcome
    const turnId = outcome.turnId
    return new Promise((resolve) => {
      const list = this.#waiting.get(turnId) ?? []
      list.push(resolve)
      this.#waiting.set(turnId, list)
    })
  }

  async onApproval(decision: ApprovalDecision): Promise<ApprovalOutcome> {
    const repo = this.o.threads.repo
    const approval = await repo.getApproval(decision.requestId)
    if (!approval || approval.userId !== decision.userId) return 'not_found'
    if (decision.threadId !== undefined && decision.threadId.toLowerCase() !== approval.threadId) return 'not_found'
    if (approval.status !== 'pending') return 'already_resolved'
    if (!(await repo.resolveApproval(approval.requestId, decision.action === 'deny' ? 'denied' : 'approved', this.#now()))) return 'already_resolved'
    if (decision.action === 'always') await repo.allowAlways(approval.userId, approval.toolName, this.#now())
    await this.#events.emit(approval, appEvent('approval_resolved', { request_id: approval.requestId, action: decision.action, thread_id: approval.threadId }))
    void this.#enqueue(approval.threadId, () => this.#resume(approval, decision.action === 'deny' ? 'deny' : 'approve'))
    return 'resolved'
  }

  async onCancel(request: { userId: string; threadId: string }): Promise<boolean> {
    if (this.#abortLocal(request)) return true
    const repo = this.o.threads.repo
    const active = await repo.activeTurn(request.threadId)
    if (active?.state === 'processing' && active.userId === request.userId && this.o.bus) {
      // Running on another instance: the one running it aborts it and emits `turn_cancelled`.
      await this.o.bus.publishControl({ kind: 'custom', topic: CANCEL_TOPIC, payload: request })
      return true
    }
    const pending = await repo.pendingApproval(request.threadId)
    if (!pending || pending.userId !== request.userId) return false
    if (!(await repo.resolveApproval(pending.requestId, 'cancelled', this.#now()))) return false
    await this.#events.emit(pending, appEvent('approval_resolved', { request_id: pending.requestId, action: 'cancelled', thread_id: pending.threadId }))
    const turn = await repo.getTurn(pending.turnId)
    if (turn && turn.state === 'awaiting_approval') await this.#settle(turn, { status: 'cancelled', state: stateOf(turn, []) }, 'user')
    return true
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
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.allSettled([...this.#queues.values()])
  }

  /** Stops running turns (they are persisted as interrupted) and waits briefly for them to settle. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
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
      const repo = this.o.threads.repo
      const pending = await repo.pendingApproval(message.threadId)
      if (pending && pending.userId === message.userId) {
        const text =
          `Waiting for approval of the tool "${pending.toolName}" (${pending.description}). ` +
          'Approve or deny it first; this message was not sent to the agent, send it again afterwards.'
        await this.#events.emit(to, appEvent('response', { content: text, thread_id: message.threadId }))
        return { ...blank, status: 'blocked', text }
      }
      const now = this.#now()
      if (!(await repo.ownedThread(message.userId, message.threadId))) {
        // Routines and embedders may name a fresh thread id; web clients' threads are resolved before.
        await repo.createThread({
          id: message.threadId, userId: message.userId, kind: 'thread', channel: channelOf(message.source), title: null, createdAt: now, updatedAt: now,
        })
      }
      const turn = newTurn(message, await repo.nextSeq(message.threadId), now)
      await repo.insertTurn({ ...turn, leaseUntil: this.#leaseEnd() })
      await repo.touchThread(message.threadId, now, titleOf(message.content) ?? undefined)
      return await this.#execute(turn)
    } catch (error) {
      const { code, message: text } = describeError(error)
      await this.#events.emit(to, appEvent('error', { message: text, code, thread_id: message.threadId }))
      return { ...blank, error: { code, message: text } }
    }
  }

  async #resume(approval: ApprovalRecord, decision: 'approve' | 'deny'): Promise<TurnOutcome | undefined> {
    const turn = await this.o.threads.repo.getTurn(approval.turnId)
    if (!turn || turn.state !== 'awaiting_approval' || turn.pendingCalls?.[0]?.id !== approval.callId) return undefined
    await this.o.threads.repo.updateTurn(turn.id, { state: 'processing', leaseUntil: this.#leaseEnd() })
    try {
      return await this.#execute({ ...turn, state: 'processing' }, new Map([[approval.callId, decision]]))
    } catch (error) {
      log.error('resuming turn {turnId} failed: {error}', { turnId: turn.id, error })
      return this.#settle(turn, { status: 'failed', state: stateOf(turn, []), error: error as Error })
    }
  }

  /** Runs the loop for a new or resumed turn and settles it. */
  async #execute(turn: TurnRecord, decisions?: ReadonlyMap<string, 'approve' | 'deny'>): Promise<TurnOutcome> {
    const llm = this.o.llm()
    if (!llm) {
      return this.#settle(turn, { status: 'failed', state: stateOf(turn, []), error: new LlmError('not_configured', NOT_CONFIGURED_MESSAGE) })
    }
    const controller = new AbortController()
    this.#running.set(turn.threadId, { controller, userId: turn.userId, turnId: turn.id })
    const live = this.o.threads.live
    try {
      const repo = this.o.threads.repo
      const earlier = await repo.turnsBefore(turn.threadId, { beforeSeq: turn.seq, limit: this.o.config.historyTurns })
      const model = llm.model
      const messages = [
        ...historyMessages(earlier, this.o.config.historyChars),
        userMessage(turn.userInput, turn.images, { supported: llm.supportsVision(model), model }),
      ]
      const state = stateOf(turn, messages)
      if (state.text) live.append(turn.id, state.text)
      const [tools, contributions] = await Promise.all([
        this.o.tools.list(turn.userId),
        this.o.contributors.collect({ userId: turn.userId, threadId: turn.threadId, message: turn.userInput, signal: controller.signal }),
      ])
      const usage = this.o.usage()
      const result = await runAgentLoop({
        llm,
        system: systemPrompt(this.o.config, { now: this.o.clock.now(), timezone: turn.timezone ?? undefined, contributions }),
        state,
        tools,
        context: { userId: turn.userId, threadId: turn.threadId, timezone: turn.timezone ?? undefined },
        signal: controller.signal,
        maxSteps: this.o.config.maxSteps,
        maxTokens: this.o.maxTokens,
        decisions,
        approval: async (_call, tool) => ((await repo.isAlwaysAllowed(turn.userId, tool.name)) ? 'approve' : 'pause'),
        beforeModelCall: usage ? () => usage.assertWithinBudget(turn.userId) : undefined,
        observer: this.#events.observer(turn, { live, usage }),
      })
      // The loop is over: a cancel from now on finds nothing running.
      this.#running.delete(turn.threadId)
      return await this.#settle(turn, result, controller.signal.reason as string | undefined)
    } catch (error) {
      // A store or registry failure outside the loop: the turn must not stay `processing`.
      return await this.#settle(turn, { status: 'failed', state: stateOf(turn, []), error: error instanceof Error ? error : new Error(String(error)) })
    } finally {
      this.#running.delete(turn.threadId)
      live.delete(turn.id)
    }
  }

  /** Persists how the loop ended and tells the user. */
  async #settle(turn: TurnRecord, result: LoopResult, cancelReason?: string): Promise<TurnOutcome> {
    const repo = this.o.threads.repo
    const { state } = result
    const to = { userId: turn.userId, threadId: turn.threadId }
    const now = this.#now()
    const patch = {
      toolCalls: state.toolCalls,
      transcript: state.transcript,
      steps: state.steps,
      inputTokens: state.usage.inputTokens,
      outputTokens: state.usage.outputTokens,
      costUsd: state.usage.costUsd,
      model: state.usage.model,
    }
    const outcome: TurnOutcome = {
      status: 'completed', threadId: turn.threadId, turnId: turn.id, text: state.text, inputTokens: state.usage.inputTokens,
      outputTokens: state.usage.outputTokens, costUsd: state.usage.costUsd, model: state.usage.model,
    }
    switch (result.status) {
      case 'paused': {
        const approval: ApprovalRecord = {
          requestId: crypto.randomUUID(), userId: turn.userId, threadId: turn.threadId, turnId: turn.id, callId: result.call.id,
          toolName: result.tool.name, description: result.tool.description, parameters: prettyJson(result.input), status: 'pending',
          createdAt: now, resolvedAt: null,
        }
        await repo.pauseTurn(turn.id, { ...patch, response: state.text || null, pendingCalls: state.pendingCalls }, approval)
        await repo.touchThread(turn.threadId, now)
        await this.#events.emit(to, appEvent('approval_needed', {
          request_id: approval.requestId, tool_name: approval.toolName, description: approval.description,
          parameters: approval.parameters, thread_id: turn.threadId, allow_always: true,
        }))
        return { ...outcome, status: 'awaiting_approval' }
      }
      case 'completed': {
        const text = state.text.trim() ? state.text : 'The model returned an empty answer.'
        await repo.updateTurn(turn.id, { ...patch, state: 'completed', response: text, pendingCalls: null, error: null, completedAt: now })
        await repo.touchThread(turn.threadId, now)
        await this.#events.emit(to, appEvent('response', { content: text, thread_id: turn.threadId }))
        await this.#events.cost(turn, state)
        return this.#finish({ ...outcome, text })
      }
      case 'cancelled': {
        // Swept by another instance, which stored the turn and told its user.
        if (cancelReason === 'swept') return this.#finish({ ...outcome, status: 'cancelled', error: { code: 'interrupted', message: 'Interrupted: another instance took this turn for dead' } })
        const message = cancelReason === 'shutdown' ? 'Stopped: the gateway is shutting down' : 'Stopped by the user'
        await repo.updateTurn(turn.id, { ...patch, state: 'interrupted', response: state.text || null, pendingCalls: null, error: message, completedAt: now })
        await repo.touchThread(turn.threadId, now)
        await this.#events.emit(to, appEvent('turn_cancelled', { thread_id: turn.threadId, message }))
        await this.#events.cost(turn, state)
        return this.#finish({ ...outcome, status: 'cancelled', error: { code: 'cancelled', message } })
      }
      case 'failed': {
        const { code, message } = describeError(result.error)
        await repo.updateTurn(turn.id, { ...patch, state: 'failed', response: state.text || null, pendingCalls: null, error: message, completedAt: now })
        await repo.touchThread(turn.threadId, now)
        await this.#events.emit(to, appEvent('error', { message, code, thread_id: turn.threadId }))
        await this.#events.cost(turn, state)
        return this.#finish({ ...outcome, status: 'failed', error: { code, message } })
      }
    }
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

  #enqueue<T>(threadId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(threadId) ?? Promise.resolve()
    const run = previous.then(task, task)
    const tail = run.then(
      () => undefined,
      () => undefined,
    )
    this.#queues.set(threadId, tail)
    void tail.then(() => {
      if (this.#queues.get(threadId) === tail) this.#queues.delete(threadId)
    })
    return run
  }

  #now(): string {
    return new Date(this.o.clock.now()).toISOString()
  }
}

