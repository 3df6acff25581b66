import { type EventSink, Once } from '../ports/event-sink'
import { SSE_KEEPALIVE } from '../ports/prepared-event'

const encoder = new TextEncoder()

/**
 * An SSE sink on a Web `ReadableStream` (Bun, Deno, any Fetch host; the Node adapter has a faster
 * one). The stream's queue is bounded by event count; `pull()` signals room again.
 */
export function createWebSseSink(options: { queue: number }): {
  sink: EventSink
  body: ReadableStream<Uint8Array>
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let drain: (() => void) | undefined
  const closed = new Once()

  const enqueue = (bytes: Uint8Array): void => {
    if (closed.fired) return
    try {
      controller.enqueue(bytes)
    } catch {
      closed.fire()
    }
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        // Tells EventSource how long to wait before reconnecting, and flushes headers at once.
        c.enqueue(encoder.encode('retry: 3000\n\n'))
      },
      pull() {
        const callback = drain
        drain = undefined
        callback?.()
      },
      cancel() {
        closed.fire()
      },
    },
    { highWaterMark: options.queue, size: () => 1 },
  )

  const sink: EventSink = {
    kind: 'sse',
    write: (event) => enqueue(event.sse),
    ready: () => !closed.fired && (controller.desiredSize ?? 0) > 0,
    onDrain: (callback) => {
      drain = callback
    },
    keepAlive: () => {
      if ((controller.desiredSize ?? 0) > 0) enqueue(SSE_KEEPALIVE)
    },
    close: (final) => {
      if (closed.fired) return
      if (final) enqueue(final.sse)
      try {
        controller.close()
      } catch {
        // already closed by the consumer
      }
      closed.fire()
    },
    onClose: (callback) => closed.add(callback),
  }
  return { sink, body }
}
