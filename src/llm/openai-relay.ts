import type { ByteSink } from '../ports/byte-sink'
import { LlmError } from './errors'
import { dataOf, EventStreamDecoder, parseEventData } from './event-stream-decoder'
import type { Usage } from './messages'
import type { UpstreamEventStream } from './provider'

const encoder = new TextEncoder()
const DONE = encoder.encode('data: [DONE]\n\n')

export interface RelayOptions {
  /** Whether the client asked for the usage chunk (the upstream is always asked, for metering). */
  includeUsage: boolean
  /** The model asked for, until the upstream names its own. */
  model: string
  /** Input tokens to meter when the upstream reports no usage. */
  estimatedInputTokens: number
  /** Meters a finished answer; awaited before the stream ends. */
  record(model: string, usage: Usage): Promise<void> | undefined
  /** Our `data: {"error":...}` frame for a failure after the status line went out. */
  errorFrame(error: LlmError): Uint8Array
}

/** What one upstream event asks of the relay. */
type Verdict = 'keep' | 'drop' | 'done' | LlmError

/**
 * Relays an OpenAI-wire upstream's event stream to the `/v1` proxy's client until either ends:
 * the upstream's own event bytes, handed on as they arrive. A read whose events need nothing from
 * us (the usual case: whole content chunks) is forwarded as the same bytes. Each event is still
 * parsed, so a client never receives a line that is not JSON, the usage chunk the gateway asked
 * for on its behalf is dropped, an upstream error becomes our error frame (scrubbed), and an
 * answer that stops short ends with one. Parsing and re-encoding every chunk through the SDK, as
 * the agent does, cost 3.4x a plain pipe's CPU per chunk; this costs ~1.7x (bench: `proxy`).
 * The sink comes kept alive (`openSseBody`).
 */
export async function relayEventStream(upstream: UpstreamEventStream, sink: ByteSink, o: RelayOptions): Promise<void> {
  let model = o.model
  let usage: Usage | undefined
  let outputChars = 0
  let finished = false
  let done = false

  const verdict = (event: string): Verdict => {
    const data = dataOf(event)
    if (data === undefined) return 'keep'
    if (data === '[DONE]') return 'done'
    let chunk: Chunk
    try {
      chunk = parseEventData(data) as Chunk
    } catch (error) {
      return error as LlmError
    }
    if (chunk.error) return upstream.errorEvent(chunk.error)
    if (typeof chunk.model === 'string' && chunk.model) model = chunk.model
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined
    if (choice) {
      const delta = choice.delta
      if (typeof delta?.content === 'string') outputChars += delta.content.length
      if (Array.isArray(delta?.tool_calls)) for (const call of delta.tool_calls) outputChars += call?.function?.arguments?.length ?? 0
      if (choice.finish_reason) finished = true
    }
    if (chunk.usage && typeof chunk.usage === 'object') {
      usage = { inputTokens: tokens(chunk.usage.prompt_tokens), outputTokens: tokens(chunk.usage.completion_tokens) }
      if (!o.includeUsage && !choice) return 'drop'
    }
    return 'keep'
  }

  let gone = false
  let wake: (() => void) | undefined
  sink.onClose(() => {
    gone = true
    upstream.cancel()
    wake?.()
  })
  const write = (bytes: Uint8Array): boolean => sink.write(bytes)
  const finish = async (failure?: LlmError): Promise<void> => {
    if (gone) return
    if (failure && !done) {
      upstream.cancel()
      write(o.errorFrame(failure))
    } else {
      if (!done) write(DONE)
      await o.record(model, usage ?? { inputTokens: o.estimatedInputTokens, outputTokens: Math.ceil(outputChars / 4), estimated: true })
    }
    sink.end()
  }

  const decoder = new EventStreamDecoder()
  for (;;) {
    let bytes: Uint8Array | undefined
    try {
      bytes = await upstream.read()
    } catch (error) {
      return finish(error instanceof LlmError ? error : new LlmError('network', String(error)))
    }
    if (gone) return finish()
    if (bytes === undefined) {
      const rest = decoder.end()
      const last = rest === undefined ? 'keep' : verdict(rest)
      if (last instanceof LlmError) return finish(last)
      if (rest !== undefined && last !== 'drop' && !done) write(encoder.encode(`${rest}\n\n`))
      return finish(done || finished ? undefined : new LlmError('malformed', 'The model provider ended its stream before finishing the answer'))
    }
    let events: string[]
    try {
      events = decoder.push(bytes)
    } catch (error) {
      return finish(error as LlmError)
    }
    let same = decoder.aligned
    let kept = ''
    for (const event of events) {
      if (done) {
        same = false
        continue
      }
      const v = verdict(event)
      if (v instanceof LlmError) {
        if (kept) write(encoder.encode(kept))
        return finish(v)
      }
      if (v === 'done') done = true
      if (v === 'drop') same = false
      else kept += `${event}\n\n`
    }
    const room = same ? write(bytes) : kept ? write(encoder.encode(kept)) : true
    if (!room && !gone) {
      await new Promise<void>((resolve) => {
        wake = resolve
        sink.onDrain(resolve)
      })
      wake = undefined
    }
  }
}

const tokens = (count: unknown): number => (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : 0)

interface Chunk {
  error?: unknown
  model?: unknown
  choices?: Array<{ delta?: { content?: unknown; tool_calls?: Array<{ function?: { arguments?: string } }> }; finish_reason?: unknown } | undefined>
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null
}
