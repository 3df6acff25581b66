import { getLogger } from '@logtape/logtape'
import type { IncomingMessage } from '../hub/channel'
import { GatewayError } from '../lib/errors'
import type { TurnRecord } from '../services/chat/records'
import type { UsageRecord } from '../services/usage/usage-service'
import { LlmError } from '../llm/errors'
import type { LoopState } from './loop/agent-loop'
import { validTimeZone } from '../lib/time'

const log = getLogger(['gateway', 'agent'])

/** A new turn for a message, `processing`. */
export function newTurn(message: IncomingMessage, seq: number, now: string): TurnRecord {
  return {
    id: crypto.randomUUID(),
    threadId: message.threadId,
    userId: message.userId,
    seq,
    userInput: message.content,
    images: message.images,
    imageCount: message.images.length,
    response: null,
    state: 'processing',
    error: null,
    toolCalls: [],
    transcript: [],
    pendingCalls: null,
    steps: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    model: null,
    source: message.source,
    timezone: validTimeZone(message.timezone) ?? null,
    startedAt: now,
    completedAt: null,
  }
}

/** The loop state stored with a turn (empty for a new one), on top of the given context. */
export function stateOf(turn: TurnRecord, messages: LoopState['messages']): LoopState {
  return {
    messages,
    transcript: [...turn.transcript],
    pendingCalls: [...(turn.pendingCalls ?? [])],
    steps: turn.steps,
    text: turn.response ?? '',
    toolCalls: [...turn.toolCalls],
    usage: { inputTokens: turn.inputTokens, outputTokens: turn.outputTokens, costUsd: turn.costUsd, model: turn.model },
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
