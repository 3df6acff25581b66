import { randomHex } from '../lib/crypto'
import { GatewayError } from '../lib/errors'
import type { ByteSink } from '../ports/byte-sink'
import type { ChatCompletion } from '../protocol/openai'
import { LlmError } from './errors'
import type { LlmStreamEvent, Usage } from './messages'
import { proxyError } from './openai-compat'

const encoder = new TextEncoder()
const frame = (value: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(value)}\n\n`)
const DONE = encoder.encode('data: [DONE]\n\n')

/** A provider failure as the proxy's error (OpenAI's shape); anything unknown is a server error. */
export const asProxyError = (error: unknown): GatewayError => proxyError(error instanceof LlmError ? error : new LlmError('server', String(error)))

/** An error after the status line went out: a last `data:` frame in OpenAI's error shape. */
export const errorFrame = (failure: GatewayError): Uint8Array =>
  frame({ error: { message: failure.message, type: failure.openai?.type ?? 'server_error', param: null, code: failure.openai?.code ?? failure.code } })

const usageOut = (u: Usage) => ({ prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.inputTokens + u.outputTokens })

/** The next event of a provider's stream, its failure as the proxy's error. */
export async function nextEvent(iterator: AsyncIterator<LlmStreamEvent>): Promise<IteratorResult<LlmStreamEvent>> {
  try {
    return await iterator.next()
  } catch (error) {
    throw asProxyError(error)
  }
}

/** One completion's identity, shared by its chunks. */
export interface CompletionId {
  id: string
  /** Unix seconds. */
  created: number
}

export const newCompletionId = (nowMs: number): CompletionId => ({ id: `chatcmpl-${randomHex(16)}`, created: Math.floor(nowMs / 1000) })

/** Reads the provider's stream to its end and answers it as one `chat.completion`. */
export async function collectCompletion(
  iterator: AsyncIterator<LlmStreamEvent>,
  first: IteratorResult<LlmStreamEvent>,
  at: CompletionId,
): Promise<{ completion: ChatCompletion; model: string; usage: Usage }> {
  let event = first
  for (;;) {
    if (event.done) throw new LlmError('malformed', 'The model provider ended its stream without an answer')
    if (event.value.type === 'done') break
    event = await nextEvent(iterator)
  }
  const done = event.value
  const completion: ChatCompletion = {
    id: at.id,
    object: 'chat.completion',
    created: at.created,
    model: done.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: done.text || (done.toolCalls.length ? null : ''),
          ...(done.toolCalls.length
            ? { tool_calls: done.toolCalls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.arguments } })) }
            : {}),
        },
        finish_reason: done.finishReason,
      },
    ],
    usage: usageOut(done.usage),
  }
  return { completion, model: done.model, usage: done.usage }
}

export interface CompletionStreamOptions {
  iterator: AsyncIterator<LlmStreamEvent>
  /** The event read before the status line went out (so an early failure was a plain HTTP error). */
  first: IteratorResult<LlmStreamEvent>
  at: CompletionId
  model: string
  includeUsage: boolean
  /** Meters the finished answer; awaited before the stream ends. */
  record(model: string, usage: Usage): Promise<void> | undefined
  /** Stops the provider's call (the client went away). */
  abort(): void
}

/**
 * Relays the provider's stream to the client as `chat.completion.chunk` frames, chunk for chunk,
 * reading the provider only as fast as the client takes them (for providers without an
 * OpenAI-wire stream of their own; those are relayed by `relayEventStream`).
 */
export async function streamCompletion(sink: ByteSink, o: CompletionStreamOptions): Promise<void> {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    frame({ id: o.at.id, object: 'chat.completion.chunk', created: o.at.created, model: o.model, choices: [{ index: 0, delta, finish_reason: finish }] })
  let gone = false
  let wake: (() => void) | undefined
  sink.onClose(() => {
    gone = true
    o.abort()
    void o.iterator.return?.()
    wake?.()
  })
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (sink.write(bytes) || gone) return
    await new Promise<void>((resolve) => {
      wake = resolve
      sink.onDrain(resolve)
    })
    wake = undefined
  }

  let pending: IteratorResult<LlmStreamEvent> | undefined = o.first
  try {
    await write(chunk({ role: 'assistant', content: '' }))
    for (;;) {
      if (gone) return
      const result = pending ?? (await o.iterator.next())
      pending = undefined
      if (result.done) throw new LlmError('malformed', 'The model provider ended its stream without an answer')
      const event = result.value
      if (event.type === 'text') await write(chunk({ content: event.delta }))
      else if (event.type === 'tool_call_delta') {
        const call = {
          index: event.index,
          ...(event.id ? { id: event.id, type: 'function' } : {}),
          function: { ...(event.name ? { name: event.name } : {}), ...(event.arguments !== undefined ? { arguments: event.arguments } : {}) },
        }
        await write(chunk({ tool_calls: [call] }))
      } else {
        sink.write(chunk({}, event.finishReason))
        if (o.includeUsage) sink.write(frame({ id: o.at.id, object: 'chat.completion.chunk', created: o.at.created, model: event.model, choices: [], usage: usageOut(event.usage) }))
        sink.write(DONE)
        await o.record(event.model, event.usage)
        sink.end()
        return
      }
    }
  } catch (error) {
    if (gone) return
    sink.write(errorFrame(error instanceof GatewayError ? error : asProxyError(error)))
    sink.end()
  }
}
