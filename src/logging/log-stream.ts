import type { EventSink } from '../ports/event-sink'
import { PreparedEvent } from '../ports/prepared-event'
import type { LogLine } from '../protocol/logs'
import type { LogFeed } from './log-feed'

// Not resumable: each connection replays the recent lines, and the app starts its view afresh.
const logEvent = (line: LogLine): PreparedEvent<'log'> => new PreparedEvent(0, null, 'log', JSON.stringify(line), false)

export interface LogStream {
  /** Ends the stream (revoked, shut down); idempotent. */
  close(): void
  readonly closed: boolean
}

/**
 * Follows the feed on an SSE sink: the recent lines, then new ones, as `event: log`. A reader
 * that falls behind loses lines, and is told how many in a WARN line once it catches up, so a
 * slow browser tab never holds memory or slows logging down. The sink's queue must hold the
 * replay (`LogFeed.capacity` lines).
 */
export function followLog(feed: LogFeed, sink: EventSink, onClose: () => void): LogStream {
  let closed = false
  let dropped = 0

  const onLine = (line: LogLine): void => {
    if (!sink.ready()) {
      dropped++
      return
    }
    if (dropped > 0) {
      const message = `${dropped} log lines dropped: this client reads too slowly`
      dropped = 0
      sink.write(logEvent({ level: 'WARN', target: 'gateway.logs', message, timestamp: line.timestamp }))
    }
    sink.write(logEvent(line))
  }

  for (const line of feed.recent()) sink.write(logEvent(line))
  const unsubscribe = feed.subscribe(onLine)
  const end = (): void => {
    if (closed) return
    closed = true
    unsubscribe()
    onClose()
  }
  sink.onClose(end)

  return {
    close: () => {
      if (closed) return
      sink.close()
      end()
    },
    get closed() {
      return closed
    },
  }
}
