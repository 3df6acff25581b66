import { getLogger } from '@logtape/logtape'
import type { IncomingMessage } from '../hub/channel'
import { GatewayError } from '../lib/errors'
import type { TurnRecord } from '../services/chat/port'
import type { UsageRecord } from '../services/usage/port'
import { LlmError } from '../llm/errors'
import type { LoopState } from './loop/agent-loop'
import { validTimeZone } from '../lib/time'

const log = getLogger(['gateway', 'agent'])

/** A new turn for a message, `processing` (its `seq` comes from the store). */
export function newTurn(message: IncomingMessage, now: string): Omit<TurnRecord, 'seq' | 'image_count'> {
  return {
    id: crypto.randomUUID(),
    thread_id: message.threadId,
    user_id: message.userId,
    user_input: message.content,
    images: message.images,
    response: null,
    state: 'processing',
    error: null,
    tool_calls: [],
    transcript: [],
    pending_calls: null,
    steps: 0,
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
    model: null,
    source: message.source,
    timezone: validTimeZone(message.timezone) ?? null,
    started_at: now,
    completed_at: null,
  }
}

/** The loop state stored with a turn (empty for a new one), on top of the given context. */
export function stateOf(turn: TurnRecord, messages: LoopState['messages']): LoopState {
  return {
    messages,
    transcript: [...turn.transcript],
    pendingCalls: [...(turn.pending_calls ?? [])],
    steps: turn.steps,
    text: turn.response ?? '',
    toolCalls: [...turn.tool_calls],
    usage: { inputTokens: turn.input_tokens, outputTokens: turn.output_tokens, costUsd: turn.cost_usd, model: turn.model },
  }
}

/** The code and message a failed turn shows the user; unexpected errors are logged and not echoed. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof LlmError) return { code: error.kind === 'not_configured' ? 'llm_not_configured' : `llm_${error.kind}`, message: error.message }
  if (error instanceof GatewayError) return { code: error.code, message: error.message }
  log.error('agent turn failed: {error}', { error })
  return { code: 'agent_error', message: 'The agent failed unexpectedly; see the gateway log' }
}

export const prettyJson = (value: unknown): string => JSON.stringify(value ?? {}, null, 2)

/** The thread channel of a message's source: the web app's REST and WS are both `gateway`. */
export const channelOf = (source: IncomingMessage['source']): string => (source === 'http' || source === 'ws' ? 'gateway' : source)

export const purposeOf = (source: string): UsageRecord['purpose'] => (source === 'routine' ? 'routine' : source === 'job' ? 'job' : 'chat')
