import type { Context } from 'hono'
import type { GatewayEnv } from '../ports/env'
import type { RuntimeCapabilities } from '../ports/runtime'
import type { ByteSink } from '../ports/byte-sink'
import { createWebByteSink } from './web-byte-sink'
import { applyCorsHeaders } from '../middleware/cors'
import { applySecurityHeaders, requestIsSecure } from '../middleware/security-headers'
import type { EventSink } from '../ports/event-sink'
import { createWebSseSink } from './web-sse-sink'
import type { KeepAlive } from './keep-alive'

const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
}

/**
 * The one way a route opens an SSE response (chat, jobs, logs): the adapter's direct-to-socket
 * sink when it has one (Node), else a Web Streams body; same headers either way. With
 * `keepAlive`, the sink is kept alive by it while idle (the hub's own subscribers are already).
 */
export function openSseResponse(
  c: Context<GatewayEnv>,
  runtime: RuntimeCapabilities,
  options: { queue: number; bufferBytes: number; keepAlive?: KeepAlive | undefined },
): { sink: EventSink; response: Response } {
  const opened = (runtime.openSse && fastPath(c, (headers) => runtime.openSse?.(c, headers, { bufferBytes: options.bufferBytes }))) || webSse(options.queue)
  return options.keepAlive ? { sink: options.keepAlive.eventSink(opened.sink), response: opened.response } : opened
}

/**
 * Opens an event-stream response the caller writes bytes to (the `/v1` proxy writes OpenAI's
 * `data:` frames, or relays its upstream's own): straight to the socket where the adapter can,
 * else a Web Streams body, kept alive by `keepAlive` (after `idleMs` of silence; its default otherwise).
 */
export function openSseBody(
  c: Context<GatewayEnv>,
  runtime: RuntimeCapabilities,
  options: { keepAlive: KeepAlive; idleMs?: number },
): { sink: ByteSink; response: Response } {
  const opened = (runtime.openBody && fastPath(c, (headers) => runtime.openBody?.(c, headers))) || webBody()
  return { sink: options.keepAlive.byteSink(opened.sink, options.idleMs), response: opened.response }
}

// The stream's cancel() marks a client gone on every runtime; `request.signal` is not used: Deno
// also aborts it when a response completes normally (and warns about that legacy behaviour).
function webSse(queue: number): { sink: EventSink; response: Response } {
  const { sink, body } = createWebSseSink({ queue })
  return { sink, response: new Response(body, { status: 200, headers: SSE_HEADERS }) }
}

function webBody(): { sink: ByteSink; response: Response } {
  const { sink, body } = createWebByteSink()
  return { sink, response: new Response(body, { status: 200, headers: SSE_HEADERS }) }
}

/**
 * A fast path writes its headers itself, before the middleware that would add the security and
 * CORS headers after the handler, so it gets them complete here and marks the context
 * `responseSent` for that middleware to leave its marker response alone.
 */
function fastPath<T>(c: Context<GatewayEnv>, open: (headers: Headers) => T | undefined): T | undefined {
  const headers = new Headers(SSE_HEADERS)
  applySecurityHeaders(headers, requestIsSecure(c))
  applyCorsHeaders(headers, c.get('allowedOrigin'))
  const opened = open(headers)
  if (opened) c.set('responseSent', true)
  return opened
}

/** `Last-Event-ID` header (or `?last_event_id=` for clients that cannot set headers). */
export function lastEventId(c: Context): number | undefined {
  const raw = c.req.header('last-event-id') ?? c.req.query('last_event_id')
  if (raw === undefined || !/^\d{1,16}$/.test(raw.trim())) return undefined
  return Number(raw.trim())
}
