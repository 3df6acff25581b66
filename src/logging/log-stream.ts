import { unrefTimer } from '../lib/time'
import type { LogLine } from '../protocol/logs'
import type { LogFeed } from './log-feed'

const encoder = new TextEncoder()
const frame = (line: LogLine): Uint8Array => encoder.encode(`event: log\ndata: ${JSON.stringify(line)}\n\n`)
const KEEP_ALIVE = encoder.encode(': keep-alive\n\n')

export interface LogStream {
  body: ReadableStream<Uint8Array>
  /** Ends the stream (revoked, shut down); idempotent. */
  close(): void
  readonly closed: boolean
}

/**
 * An SSE body that replays the feed's recent lines, then follows it live. The queue is bounded:
 * a reader that falls behind loses lines, and is told how many in a WARN line once it catches up,
 * so a slow browser tab never holds memory or slows logging down.
 */
export function openLogStream(options: {
  feed: LogFeed
  keepAliveMs: number
  /** Lines buffered for a slow reader before new ones are dropped. */
  queue?: number
  signal?: AbortSignal
  onClose: () => void
  now?: () => number
}): LogStream {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let closed = false
  let dropped = 0
  let lastWrite = 0
  const now = options.now ?? Date.now

  const write = (bytes: Uint8Array): boolean => {
    if (closed) return false
    try {
      controller.enqueue(bytes)
      lastWrite = now()
      return true
    } catch {
      close()
      return false
    }
  }

  const room = (): boolean => (controller.desiredSize ?? 0) > 0

  const onLine = (line: LogLine): void => {
    if (!room()) {
      dropped++
      return
    }
    if (dropped > 0) {
      const count = dropped
      dropped = 0
      write(frame({ level: 'WARN', target: 'gateway.logs', message: `${count} log lines dropped: this client reads too slowly`, timestamp: line.timestamp }))
    }
    write(frame(line))
  }

  let unsubscribe: () => void = () => undefined
  const keepAlive = unrefTimer(
    setInterval(() => {
      if (now() - lastWrite >= options.keepAliveMs && room()) write(KEEP_ALIVE)
    }, Math.max(50, Math.min(options.keepAliveMs, 5_000))),
  )

  function close(): void {
    if (closed) return
    closed = true
    clearInterval(keepAlive)
    unsubscribe()
    try {
      controller.close()
    } catch {
      // already closed by the reader
    }
    options.onClose()
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        c.enqueue(encoder.encode('retry: 3000\n\n'))
        for (const line of options.feed.recent()) c.enqueue(frame(line))
        lastWrite = now()
        unsubscribe = options.feed.subscribe(onLine)
      },
      cancel() {
        close()
      },
    },
    { highWaterMark: Math.max(options.queue ?? 1_000, options.feed.capacity + 1), size: () => 1 },
  )
  options.signal?.addEventListener('abort', () => close(), { once: true })

  return {
    body,
    close,
    get closed() {
      return closed
    },
  }
}
