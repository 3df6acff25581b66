import type { IncomingMessage } from '../../hub/channel'
import type { TurnOutcome } from '../../hub/turn-outcome'
import type { Principal } from '../../ports/principal'
import type { PreparedEvent } from '../../ports/prepared-event'
import type { AppEvent, EventOf } from '../../protocol/events'
import type { ApprovalRecord } from '../../services/chat/port'
import type { RouteDeps } from '../deps'

/** What a client protocol renders of a running turn, in order. */
export type TurnPart =
  | { type: 'text'; delta: string }
  | { type: 'tool_started'; name: string; callId: string }
  | { type: 'tool_completed'; name: string; callId: string; success: boolean; parameters?: string | undefined; error?: string | undefined }
  | { type: 'tool_result'; name: string; callId: string; preview: string }
  | { type: 'approval_needed'; approval: Pick<ApprovalRecord, 'request_id' | 'tool_name' | 'description' | 'parameters'> }
  | { type: 'approval_resolved'; requestId: string; action: EventOf<'approval_resolved'>['action'] }

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

const FOLLOWED = new Set<AppEvent['type']>(['stream_chunk', 'tool_started', 'tool_completed', 'tool_result', 'approval_needed', 'approval_resolved', 'response', 'error', 'turn_cancelled'])

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
  input: { content: string; threadId?: string | undefined; channel: string; source: IncomingMessage['source'] },
  options: { untilApproval: boolean },
): Promise<AgentTurn> {
  const message = await d.commands.prepareMessage(principal, { content: input.content, thread_id: input.threadId }, input.source, { channel: input.channel })
  const threadId = message.threadId
  const seen: AppEvent[] = []
  const queue: TurnPart[] = []
  let wake: (() => void) | undefined
  let finished = false
  let grace: ReturnType<typeof setTimeout> | undefined
  let settled: { outcome: TurnOutcome; approval?: ApprovalRecord | undefined } | undefined
  const poke = () => {
    const w = wake
    wake = undefined
    w?.()
  }

  const off = d.hub.bus.onEvent((prepared: PreparedEvent) => {
    if (prepared.userId !== principal.userId || !FOLLOWED.has(prepared.type)) return
    const event = prepared.event
    if ((event as { thread_id?: string }).thread_id !== threadId) return
    seen.push(event)
    const part = partOf(event)
    if (part) queue.push(part)
    poke()
  })

  let running: Promise<TurnOutcome>
  try {
    running = d.channel.run(message, { untilApproval: options.untilApproval })
  } catch (error) {
    off()
    throw error
  }
  const done = running.then(async (outcome) => {
    const approval = outcome.status === 'awaiting_approval' || outcome.status === 'blocked' ? await d.services.turns?.pendingApproval(threadId) : undefined
    settled = { outcome, approval: approval && approval.user_id === principal.userId ? approval : undefined }
    grace = setTimeout(() => {
      finished = true
      poke()
    }, END_EVENT_GRACE_MS)
    poke()
  })

  const ended = (): boolean => finished || (settled !== undefined && seen.some((event) => announces(event, settled!)))

  async function* parts(): AsyncGenerator<TurnPart> {
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!
        if (ended()) return
        await new Promise<void>((resolve) => (wake = resolve))
      }
    } finally {
      off()
      if (grace !== undefined) clearTimeout(grace)
    }
  }

  return {
    threadId,
    parts: parts(),
    result: async () => {
      await done
      return settled!
    },
    cancel: async () => {
      await d.commands.cancel(principal, threadId).catch(() => undefined)
    },
  }
}

/** Whether the event is the one the agent published when the turn ended as `settled` says. */
function announces(event: AppEvent, settled: { outcome: TurnOutcome; approval?: ApprovalRecord | undefined }): boolean {
  const { outcome, approval } = settled
  switch (outcome.status) {
    case 'completed':
    case 'blocked':
      return event.type === 'response' && event.content === outcome.text
    case 'failed':
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
      return { type: 'approval_needed', approval: { request_id: event.request_id, tool_name: event.tool_name, description: event.description, parameters: event.parameters } }
    case 'approval_resolved':
      return { type: 'approval_resolved', requestId: event.request_id, action: event.action }
    default:
      return undefined
  }
}
