import type { WSContext } from 'hono/ws'
import { type EventSink, Once } from '../ports/event-sink'
import type { PreparedEvent } from '../ports/prepared-event'

/**
 * A WebSocket sink over Hono's `WSContext`, for runtimes without a faster adapter sink. It reads
 * the raw socket's backlog whichever shape it has: a `bufferedAmount` property (browser-style
 * sockets) or a `getBufferedAmount()` method; the adapters decide which socket it gets.
 */
export function createWsContextSink(ws: WSContext, options: { maxBufferedBytes: number }): {
  sink: EventSink
  closed: Once
} {
  const closed = new Once()
  const raw = ws.raw as { bufferedAmount?: number; getBufferedAmount?: () => number } | undefined
  const buffered = (): number => raw?.getBufferedAmount?.() ?? raw?.bufferedAmount ?? 0
  let drainTimer: ReturnType<typeof setInterval> | undefined

  const sink: EventSink = {
    kind: 'ws',
    write: (event: PreparedEvent<string>) => {
      if (closed.fired) return
      try {
        ws.send(event.wsText)
      } catch {
        closed.fire()
      }
    },
    ready: () => !closed.fired && buffered() < options.maxBufferedBytes,
    onDrain: (callback) => {
      // Generic sockets have no drain event: poll the buffer until it empties below the cap.
      clearInterval(drainTimer)
      drainTimer = setInterval(() => {
        if (closed.fired) return clearInterval(drainTimer)
        if (buffered() < options.maxBufferedBytes / 2) {
          clearInterval(drainTimer)
          callback()
        }
      }, 50)
    },
    keepAlive: () => {
      // Application-level keep-alive only where the runtime has no protocol ping.
    },
    close: (final) => {
      if (closed.fired) return
      if (final) sink.write(final)
      try {
        ws.close(1001, 'server shutting down')
      } catch {
        // already closing
      }
      closed.fire()
    },
    onClose: (callback) => closed.add(callback),
  }
  closed.add(() => clearInterval(drainTimer))
  return { sink, closed }
}
