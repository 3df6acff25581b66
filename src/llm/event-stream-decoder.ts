import { MAX_STREAM_LINE_BYTES } from './bounded-fetch'
import { LlmError } from './errors'

/**
 * Splits an upstream `text/event-stream` body into its events, read by read: each `push` returns
 * the events completed by those bytes as their text blocks (line ends normalised to LF, without
 * the blank line). An event may span reads, a CRLF may be split between two, and so may a UTF-8
 * character. One event longer than `maxEventChars` fails the stream: a decoder that kept
 * buffering it would hold and rescan a 50 MB line.
 */
export class EventStreamDecoder {
  readonly #decoder = new TextDecoder()
  #carry = ''
  #pendingCR = false
  #aligned = false

  constructor(private readonly maxEventChars = MAX_STREAM_LINE_BYTES) {}

  /**
   * Whether the last push was exactly whole events with LF line ends, nothing carried in or
   * out: its bytes are then the same as its events, and may be forwarded as they are.
   */
  get aligned(): boolean {
    return this.#aligned
  }

  push(bytes: Uint8Array): string[] {
    let piece = this.#decoder.decode(bytes, { stream: true })
    let aligned = this.#carry === '' && !this.#pendingCR
    if (this.#pendingCR || piece.includes('\r')) {
      if (this.#pendingCR && piece.startsWith('\n')) piece = piece.slice(1)
      piece = (this.#pendingCR ? '\n' : '') + piece
      this.#pendingCR = piece.endsWith('\r')
      piece = piece.replace(/\r\n?/g, '\n')
      if (this.#pendingCR) piece = piece.slice(0, -1)
      aligned = false
    }
    const text = this.#carry + piece
    const events: string[] = []
    let start = 0
    for (let end = text.indexOf('\n\n', Math.max(0, this.#carry.length - 1)); end !== -1; end = text.indexOf('\n\n', start)) {
      events.push(text.slice(start, end))
      start = end + 2
    }
    this.#carry = text.slice(start)
    this.#aligned = aligned && this.#carry === ''
    if (this.#carry.length > this.maxEventChars) {
      throw new LlmError('malformed', `The model provider sent one stream event over ${Math.round(this.maxEventChars / 1024 / 1024)} MiB`, { retryable: false })
    }
    return events
  }

  /** At the end of the body: an event the upstream left without its blank line, if any. */
  end(): string | undefined {
    const rest = (this.#carry + this.#decoder.decode()).trim()
    this.#carry = ''
    return rest === '' ? undefined : rest
  }
}

/** The data of one event (its `data:` lines joined), or undefined for a comment or a data-less event. */
export function dataOf(event: string): string | undefined {
  if (event.startsWith('data:') && !event.includes('\n')) return event.charCodeAt(5) === 32 ? event.slice(6) : event.slice(5)
  let data: string | undefined
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5)
    data = data === undefined ? value : `${data}\n${value}`
  }
  return data
}

/** One event's data as the JSON object it must be; anything else fails the stream as malformed. */
export function parseEventData(data: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch (error) {
    throw new LlmError('malformed', 'The model provider sent a malformed stream', { cause: error, retryable: false })
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new LlmError('malformed', 'The model provider sent a malformed stream', { retryable: false })
  return value as Record<string, unknown>
}
