import type { Context } from 'hono'
import type { RuntimeCapabilities } from '../gateway/runtime'
import { applySecurityHeaders } from '../middleware/security-headers'
import type { EventSink } from './event-sink'
import { createWebSseSink } from './web-sse-sink'

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
}

/**
 * Opens an SSE response: the adapter's direct-to-socket sink when it has one (Node), else a Web
 * Streams body. The headers are complete here (security and CORS included) because the fast
 * path writes them itself, past any middleware that would run after the handler.
 */
export function openSseResponse(
  c: Context,
  runtime: RuntimeCapabilities,
  limits: { queue: number; bufferBytes: number },
): { sink: EventSink; response: Response } {
  const headers = new Headers(c.res.headers)
  for (const [name, value] of Object.entries(SSE_HEADERS)) headers.set(name, value)
  applySecurityHeaders(headers, c.req.url.startsWith('https:'))
  const fast = runtime.openSse?.(c, headers, { bufferBytes: limits.bufferBytes })
  if (fast) return fast
  // The stream's cancel() marks a client gone on every runtime; `request.signal` is not used: Deno
  // also aborts it when a response completes normally (and warns about that legacy behaviour).
  const { sink, body } = createWebSseSink({ queue: limits.queue })
  return { sink, response: new Response(body, { status: 200, headers }) }
}

/** `Last-Event-ID` header (or `?last_event_id=` for clients that cannot set headers). */
export function lastEventId(c: Context): number | undefined {
  const raw = c.req.header('last-event-id') ?? c.req.query('last_event_id')
  if (raw === undefined || !/^\d{1,16}$/.test(raw.trim())) return undefined
  return Number(raw.trim())
}
