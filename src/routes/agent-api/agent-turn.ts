import type { IncomingMessage } from '../../hub/channel'
import type { TurnOutcome } from '../../hub/turn-outcome'
import type { Principal } from '../../ports/principal'
import type { PreparedEvent } from '../../ports/prepared-event'
import type { AppEvent, EventOf } from '../../protocol/events'
import type { ApprovalRecord } from '../../services/chat/port'
import { errorMessage, GatewayError, notFound } from '../../lib/errors'
import type { RouteDeps } from '../deps'

/** What a client protocol renders of a running turn, in order. */
export type TurnPart =
  | { type: 'text'; delta: string }
  | { type: 'tool_started'; name: string; callId: string }
  | { type: 'tool_completed'; name: string; callId: string; success: boolean; parameters?: string | undefined; error?: string | undefined }
  | { type: 'tool_result'; name: string; callId: string; preview: string }
  | { type: 'approval_needed'; callId: string; approval: Pick<ApprovalRecord, 'request_id' | 'tool_name' | 'description' | 'parameters'> }
  | { type: 'approval_resolved'; requestId: string; action: EventOf<'approval_resolved'>['action'] | 'expired' }

/** A turn followed by a client protocol: its parts as they happen, then how it ended. */
export interface AgentTurn {
  threadId: string
  /** Ends when the turn ended (or paused, with `untilApproval`) and every event before its end was read. */
  parts: AsyncIterable<TurnPart>
  /** Resolves once `parts` is done; the approval is set when the turn is paused on one. */
  result(): Promise<{ outcome: TurnOutcome; approval?: ApprovalRecord | undefined }>
  /** Stops the turn (the client went away or pressed stop). */
  cancel(): Promise<void>
}

const FOLLOWED = new Set<AppEvent['type']>(['stream_chunk', 'tool_started', 'tool_completed', 'tool_result', 'approval_needed', 'approval_resolved', 'response', 'error', 'turn_cancelled', 'turn_interrupted', 'approval_expired', 'turn_cost'])

/** How long a resumed turn's end waits for its `turn_cost` (published right after it). */
const COST_GRACE_MS = 1_000

/** If the event announcing the turn's end never arrives (a lost notification), the turn still ends this long after it settled. */
const END_EVENT_GRACE_MS = 5_000

/**
 * Runs a message as a turn of the caller's agent and follows it through the bus: the same events
 * the web app shows (the turn is an ordinary one in an ordinary thread), read as `TurnPart`s. The
 * end comes from the agent's own outcome, and the stream closes only once the event announcing
 * that end was read, so no chunk published before it is lost (on PostgreSQL events arrive by
 * LISTEN/NOTIFY, possibly after the outcome).
 */
export async function startAgentTurn(
  d: RouteDeps,
  principal: Principal,
  /** `newThreadId`: the id the thread gets when `threadId` names none (a client's own conversation id, mapped). */
  input: { content: string; threadId?: string | undefined; newThreadId?: string; channel: string; source: IncomingMessage['source'] },
  options: { untilApproval: boolean },
): Promise<AgentTurn> {
  const message = await d.commands.prepareMessage(principal, { content: input.content, thread_id: input.threadId }, input.source, { channel: input.channel, ...(input.newThreadId ? { newThreadId: input.newThreadId } : {}) })
  const follower = new ThreadFollower(d, principal.userId, message.threadId)
  // The agent's runMessage never rejects; an embedder's might: that is a failed turn, not a hung stream.
  const running = d.channel.run(message, { untilApproval: options.untilApproval }).catch((error: unknown): TurnOutcome => ({
    status: 'failed', threadId: message.threadId, turnId: undefined, text: '', inputTokens: 0, outputTokens: 0, costUsd: 0, model: null,
    error: { code: error instanceof GatewayError ? error.code : 'agent_failed', message: errorMessage(error) },
  }))
  const done = running.then(async (outcome) => {
    const approval = outcome.status === 'awaiting_approval' || outcome.status === 'blocked' ? await d.services.turns?.pendingApproval(message.threadId) : undefined
    follower.settle({ outcome, approval: approval && approval.user_id === principal.userId ? approval : undefined })
  })
  return follower.turn(d, principal, done)
}

/**
 * Answers the approval a paused turn waits for and follows the turn as it resumes, to its next
 * end (an answer, a failure, a stop, or another approval). 404 for another user's request.
 */
export async function resumeAgentTurn(d: RouteDeps, principal: Principal, input: { requestId: string; approve: boolean }): Promise<AgentTurn> {
  const approval = await d.services.turns?.getApproval(input.requestId.toLowerCase())
  if (!approval || approval.user_id !== principal.userId) throw notFound('approval', 'No pending approval with that id')
  const follower = new ThreadFollower(d, principal.userId, approval.thread_id, { endsByEvent: true })
  try {
    await d.commands.approve(principal, { request_id: approval.request_id, action: input.approve ? 'approve' : 'deny', thread_id: approval.thread_id })
  } catch (error) {
    follower.close()
    throw error
  }
  return follower.turn(d, principal, follower.endedByEvent)
}

/**
 * Follows the turn running in a thread now (a client reconnecting to its stream), to its next
 * end; undefined when none is running.
 */
export async function followAgentTurn(d: RouteDeps, principal: Principal, threadId: string): Promise<{ turn: AgentTurn; textSoFar: string } | undefined> {
  // Listening before the snapshot is read, then dropping the chunks the snapshot already holds
  // (up to its last_event_id): no chunk between the two is lost, none is shown twice.
  const follower = new ThreadFollower(d, principal.userId, threadId, { endsByEvent: true })
  const history = await d.services.threads?.history(principal.userId, { thread_id: threadId, limit: 1 }).catch(() => undefined)
  const running = history?.in_progress
  if (!running || running.state !== 'processing') {
    follower.close()
    return undefined
  }
  follower.startFrom(running.response_so_far, running.last_event_id === undefined ? undefined : Number(running.last_event_id))
  return { turn: follower.turn(d, principal, follower.endedByEvent), textSoFar: running.response_so_far }
}

/** One thread's turn events of one user, from the moment it is made. */
class ThreadFollower {
  /** The thread's events read so far, with their bus ids. */
  #seen: { id: number; event: AppEvent }[] = []
  #queue: { id: number; part: TurnPart }[] = []
  /** Text the client already has (a snapshot), and the id of the last chunk in it. */
  #prefix = ''
  #skipChunksThrough = 0
  #wake: (() => void) | undefined
  #finished = false
  #grace: ReturnType<typeof setTimeout> | undefined
  #settled: Settled | undefined
  readonly #off: () => void
  #endedByEvent: ((settled: Settled) => void) | undefined
  /** With `endsByEvent`, resolves when the turn's end event (and its cost, if any) was read. */
  readonly endedByEvent: Promise<void>

  constructor(
    private readonly d: RouteDeps,
    userId: string,
    readonly threadId: string,
    private readonly options: { endsByEvent?: boolean } = {},
  ) {
    this.endedByEvent = new Promise<Settled>((resolve) => (this.#endedByEvent = resolve)).then((settled) => this.settle(settled))
    this.#off = d.hub.bus.onEvent((prepared: PreparedEvent) => {
      if (prepared.userId !== userId || !FOLLOWED.has(prepared.type)) return
      const event = prepared.event
      if ((event as { thread_id?: string }).thread_id !== threadId) return
      if (event.type === 'stream_chunk' && prepared.id <= this.#skipChunksThrough) return
      this.#seen.push({ id: prepared.id, event })
      const part = partOf(event)
      if (part) this.#queue.push({ id: prepared.id, part })
      if (options.endsByEvent) this.#endFromEvents()
      this.#poke()
    })
  }

  /**
   * The client has `text` already, made of the chunks up to `lastChunkId`: those are dropped,
   * read or not yet. Without an id (a turn of another instance) nothing is dropped.
   */
  startFrom(text: string, lastChunkId: number | undefined): void {
    if (lastChunkId === undefined) return
    this.#prefix = text
    this.#skipChunksThrough = lastChunkId
    const fresh = ({ id, event }: { id: number; event: AppEvent }) => event.type !== 'stream_chunk' || id > lastChunkId
    this.#seen = this.#seen.filter(fresh)
    this.#queue = this.#queue.filter(({ id, part }) => part.type !== 'text' || id > lastChunkId)
  }

  #poke(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  /** The turn's end as the events tell it (a resumed turn has no outcome to wait for). */
  #endFromEvents(): void {
    if (this.#settled) return
    const end = this.#seen.findIndex(({ event: e }) => e.type === 'response' || e.type === 'error' || e.type === 'turn_cancelled' || e.type === 'turn_interrupted' || e.type === 'approval_expired' || e.type === 'approval_needed')
    if (end < 0) return
    const last = this.#seen[end]!.event
    const cost = this.#seen.slice(end).find(({ event }) => event.type === 'turn_cost')?.event
    // The cost follows the end when the turn called the model; a short wait for it, not a long one.
    // A swept turn (its instance died) or an expired approval has no cost event to wait for.
    const endId = this.#seen[end]!.id
    if (!cost && (last.type === 'turn_interrupted' || last.type === 'approval_expired')) return this.#endFromEventsNow(endId, undefined)
    if (!cost && last.type !== 'approval_needed' && this.#grace === undefined) {
      this.#grace = setTimeout(() => this.#endFromEventsNow(endId, undefined), COST_GRACE_MS)
      return
    }
    if (cost || last.type === 'approval_needed') this.#endFromEventsNow(endId, cost)
  }

  /** Settles on the end event with bus id `endId` (by id: a snapshot may have dropped chunks before it since). */
  #endFromEventsNow(endId: number, cost: AppEvent | undefined): void {
    if (this.#settled) return
    if (this.#grace !== undefined) clearTimeout(this.#grace)
    this.#grace = undefined
    const end = this.#seen.findIndex(({ id }) => id === endId)
    const last = this.#seen[end]!.event
    const text = this.#prefix + this.#seen.slice(0, end).flatMap(({ event: e }) => (e.type === 'stream_chunk' ? [e.content] : [])).join('')
    const usage = cost?.type === 'turn_cost' ? { inputTokens: cost.input_tokens, outputTokens: cost.output_tokens, costUsd: Number(cost.cost_usd), model: cost.model ?? null } : { inputTokens: 0, outputTokens: 0, costUsd: 0, model: null }
    const base = { threadId: this.threadId, turnId: undefined, ...usage }
    const outcome: TurnOutcome =
      last.type === 'response' ? { ...base, status: 'completed', text: last.content }
      : last.type === 'error' ? { ...base, status: 'failed', text, error: { code: last.code ?? 'agent_failed', message: last.message } }
      : last.type === 'turn_cancelled' ? { ...base, status: 'cancelled', text }
      : last.type === 'turn_interrupted' ? { ...base, status: 'failed', text, error: { code: 'turn_interrupted', message: last.message } }
      : last.type === 'approval_expired' ? { ...base, status: 'failed', text, error: { code: 'approval_expired', message: last.message } }
      : { ...base, status: 'awaiting_approval', text }
    void (async () => {
      const approval = last.type === 'approval_needed' ? await this.d.services.turns?.getApproval(last.request_id) : undefined
      this.#endedByEvent?.({ outcome, approval })
    })()
  }

  settle(settled: Settled): void {
    this.#settled = settled
    if (!this.options.endsByEvent) {
      this.#grace = setTimeout(() => {
        this.#finished = true
        this.#poke()
      }, END_EVENT_GRACE_MS)
    }
    this.#poke()
  }

  #ended(): boolean {
    const settled = this.#settled
    return this.#finished || (settled !== undefined && (this.options.endsByEvent === true || this.#seen.some(({ event }) => announces(event, settled))))
  }

  close(): void {
    this.#off()
    if (this.#grace !== undefined) clearTimeout(this.#grace)
  }

  async *parts(): AsyncGenerator<TurnPart> {
    try {
      for (;;) {
        while (this.#queue.length > 0) yield this.#queue.shift()!.part
        if (this.#ended()) return
        await new Promise<void>((resolve) => (this.#wake = resolve))
      }
    } finally {
      this.close()
    }
  }

  turn(d: RouteDeps, principal: Principal, done: Promise<void>): AgentTurn {
    return {
      threadId: this.threadId,
      parts: this.parts(),
      result: async () => {
        await done
        return this.#settled!
      },
      cancel: async () => {
        await d.commands.cancel(principal, this.threadId).catch(() => undefined)
      },
    }
  }
}

type Settled = { outcome: TurnOutcome; approval?: ApprovalRecord | undefined }

/** Whether the event is the one the agent published when the turn ended as `settled` says. */
function announces(event: AppEvent, settled: Settled): boolean {
  const { outcome, approval } = settled
  switch (outcome.status) {
    case 'completed':
    case 'blocked':
      return event.type === 'response' && event.content === outcome.text
    case 'failed':
      if (outcome.error?.code === 'approval_expired') return event.type === 'approval_expired'
      return event.type === 'error' && (outcome.error === undefined || event.message === outcome.error.message)
    case 'cancelled':
      return event.type === 'turn_cancelled'
    case 'awaiting_approval':
      return event.type === 'approval_needed' && (approval === undefined || event.request_id === approval.request_id)
  }
}

function partOf(event: AppEvent): TurnPart | undefined {
  switch (event.type) {
    case 'stream_chunk':
      return { type: 'text', delta: event.content }
    case 'tool_started':
      return { type: 'tool_started', name: event.name, callId: event.call_id ?? event.name }
    case 'tool_completed':
      return { type: 'tool_completed', name: event.name, callId: event.call_id ?? event.name, success: event.success, parameters: event.parameters, error: event.error }
    case 'tool_result':
      return { type: 'tool_result', name: event.name, callId: event.call_id ?? event.name, preview: event.preview }
    case 'approval_needed':
      return { type: 'approval_needed', callId: event.call_id ?? event.request_id, approval: { request_id: event.request_id, tool_name: event.tool_name, description: event.description, parameters: event.parameters } }
    case 'approval_resolved':
      return { type: 'approval_resolved', requestId: event.request_id, action: event.action }
    case 'approval_expired':
      return { type: 'approval_resolved', requestId: event.request_id, action: 'expired' }
    default:
      return undefined
  }
}
