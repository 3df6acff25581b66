import { createParser, type EventSourceMessage } from 'eventsource-parser'

export interface SseEvent {
  event: string
  id: string | undefined
  data: string
  json: Record<string, unknown>
}

/**
 * A real SSE reader over fetch: collects events as they arrive, so a test can `await next(...)`.
 * Stands in for a browser EventSource (with headers, which EventSource cannot send).
 */
export class SseClient {
  readonly events: SseEvent[] = []
  readonly comments: string[] = []
  status = 0
  headers = new Headers()
  ended = false
  #waiters: Array<() => void> = []
  #abort = new AbortController()
  #done: Promise<void> = Promise.resolve()

  static async open(url: string, init: { headers?: Record<string, string> } = {}): Promise<SseClient> {
    const client = new SseClient()
    const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...init.headers }, signal: client.#abort.signal })
    client.status = res.status
    client.headers = res.headers
    if (!res.ok || !res.body) {
      client.ended = true
      client.body = await res.text()
      return client
    }
    client.#done = client.#pump(res.body)
    return client
  }

  body = ''

  async #pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const parser = createParser({
      onEvent: (message: EventSourceMessage) => {
        let json: Record<string, unknown> = {}
        try {
          json = JSON.parse(message.data) as Record<string, unknown>
        } catch {
          // not JSON
        }
        this.events.push({ event: message.event ?? 'message', id: message.id, data: message.data, json })
        this.#wake()
      },
      onComment: (comment) => {
        this.comments.push(comment)
        this.#wake()
      },
    })
    const decoder = new TextDecoder()
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }))
    } catch {
      // aborted or reset
    } finally {
      this.ended = true
      this.#wake()
    }
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter()
  }

  /** Resolves with the first event (from the start) matching `predicate`, or rejects after `timeoutMs`. */
  async next(predicate: (e: SseEvent) => boolean = () => true, timeoutMs = 5_000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.events.slice(from).find(predicate)
      if (found) return found
      if (this.ended) throw new Error(`stream ended before a matching event; got ${this.events.map((e) => e.event).join(',')}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for event; got ${this.events.map((e) => e.event).join(',')}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Waits for the stream to end (server closed it). */
  async waitEnd(timeoutMs = 5_000): Promise<void> {
    await Promise.race([this.#done, new Promise((_, reject) => setTimeout(() => reject(new Error('stream did not end')), timeoutMs))])
  }

  ofType(type: string): SseEvent[] {
    return this.events.filter((e) => e.event === type)
  }

  close(): void {
    this.#abort.abort()
  }
}
