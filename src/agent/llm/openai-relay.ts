import type { ByteSink } from '../../lib/byte-sink'
import { MAX_STREAM_LINE_BYTES } from './bounded-fetch'
import { LlmError } from './errors'
import type { Usage } from './messages'
import type { UpstreamEventStream } from './provider'

const KEEPALIVE_MS = 15_000
const encoder = new TextEncoder()
const KEEPALIVE = encoder.encode(':\n\n')
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
 */
export async function relayEventStream(upstream: UpstreamEventStream, sink: ByteSink, o: RelayOptions): Promise<void> {
  const decoder = new TextDecoder()
  let carry = ''
  let pendingCR = false
  let model = o.model
  let usage: Usage | undefined
  let outputChars = 0
  let finished = false
  let done = false

  const verdict = (block: string): Verdict => {
    const data = dataOf(block)
    if (data === undefined) return 'keep'
    if (data === '[DONE]') return 'done'
    let event: unknown
    try {
      event = JSON.parse(data)
    } catch (error) {
      return new LlmError('malformed', 'The model provider sent a malformed stream', { cause: error })
    }
    if (!event || typeof event !== 'object') return new LlmError('malformed', 'The model provider sent a malformed stream')
    const chunk = event as Chunk
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
  let lastWrite = Date.now()
  const write = (bytes: Uint8Array): boolean => {
    lastWrite = Date.now()
    return sink.write(bytes)
  }
  const keepAlive = setInterval(() => {
    if (Date.now() - lastWrite >= KEEPALIVE_MS) write(KEEPALIVE)
  }, KEEPALIVE_MS / 3)
  const finish = async (failure?: LlmError): Promise<void> => {
    clearInterval(keepAlive)
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

  for (;;) {
    let bytes: Uint8Array | undefined
    try {
      bytes = await upstream.read()
    } catch (error) {
      return finish(error instanceof LlmError ? error : new LlmError('network', String(error)))
    }
    if (gone) return finish()
    if (bytes === undefined) {
      const rest = carry.trim()
      const last = rest ? verdict(rest) : 'keep'
      if (last instanceof LlmError) return finish(last)
      if (rest && last !== 'drop' && !done) write(encoder.encode(`${rest}\n\n`))
      return finish(done || finished ? undefined : new LlmError('malformed', 'The model provider ended its stream before finishing the answer'))
    }
    let piece = decoder.decode(bytes, { stream: true })
    let same = carry === '' && !pendingCR
    // Line ends may be CRLF or CR; one CRLF may be split between two reads.
    if (pendingCR || piece.includes('\r')) {
      if (pendingCR && piece.startsWith('\n')) piece = piece.slice(1)
      piece = (pendingCR ? '\n' : '') + piece
      pendingCR = piece.endsWith('\r')
      piece = piece.replace(/\r\n?/g, '\n')
      if (pendingCR) piece = piece.slice(0, -1)
      same = false
    }
    const text = carry + piece
    let start = 0
    let kept = ''
    let failure: LlmError | undefined
    for (let end = text.indexOf('\n\n', Math.max(0, carry.length - 1)); end !== -1; end = text.indexOf('\n\n', start)) {
      const block = text.slice(start, end)
      start = end + 2
      if (done) {
        same = false
        continue
      }
      const v = verdict(block)
      if (v instanceof LlmError) {
        failure = v
        break
      }
      if (v === 'done') done = true
      if (v === 'drop') same = false
      else kept += `${block}\n\n`
    }
    carry = text.slice(start)
    if (failure) {
      if (kept) write(encoder.encode(kept))
      return finish(failure)
    }
    if (carry.length > MAX_STREAM_LINE_BYTES) {
      return finish(new LlmError('malformed', `The model provider sent one stream event over ${Math.round(MAX_STREAM_LINE_BYTES / 1024 / 1024)} MiB`))
    }
    const room = carry === '' && same ? write(bytes) : kept ? write(encoder.encode(kept)) : true
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

/** The data of one event block (its `data:` lines joined), or undefined for a comment or data-less event. */
function dataOf(block: string): string | undefined {
  if (block.startsWith('data:') && !block.includes('\n')) return block.charCodeAt(5) === 32 ? block.slice(6) : block.slice(5)
  let data: string | undefined
  for (const line of block.split('\n')) {
    if (!line.startsWith('data:')) continue
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5)
    data = data === undefined ? value : `${data}\n${value}`
  }
  return data
}
