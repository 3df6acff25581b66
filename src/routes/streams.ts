import { Hono } from 'hono'
import type { WSContext } from 'hono/ws'
import { requireAuth } from '../auth/auth-middleware'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { createWsContextSink } from '../hub/web-ws-sink'
import { lastEventId, openSseResponse } from '../hub/sse-response'
import { GatewayError, unavailable } from '../lib/errors'
import { unrefTimer } from '../lib/time'
import { WsSession } from '../ws/ws-session'

/**
 * The real-time routes: `GET /api/chat/events` (SSE) and `GET /api/chat/ws` (WebSocket). The only
 * chat routes that accept `?token=` (browsers cannot set headers on EventSource or upgrades).
 * Both resume from `Last-Event-ID` / `?last_event_id=`.
 */
export const streamRoutes = (d: RouteDeps) => {
  const limits = d.config.limits
  const auth = requireAuth(d.auth, { allowQueryToken: true })
  return new Hono<GatewayEnv>()
    .get('/api/chat/events', routeDoc({ summary: 'Event stream (SSE) of the caller\'s agent events', sse: true }), auth, (c) => {
      // An upgrade request here would never read the stream; it must not hold a slot.
      if (c.req.header('upgrade')) throw new GatewayError(400, 'not_a_websocket_route', 'This is the SSE route; use /api/chat/ws')
      const principal = c.get('principal')
      const reservation = d.hub.reserve(principal.userId, 'sse', { tokenId: principal.tokenId ?? undefined, role: principal.role })
      try {
        const { sink, response } = openSseResponse(c, d.runtime, { queue: limits.subscriberQueue, bufferBytes: limits.subscriberBufferBytes })
        reservation.attach(sink, { lastEventId: lastEventId(c) })
        return response
      } catch (error) {
        reservation.release()
        throw error
      }
    })
    .get('/api/chat/ws', routeDoc({ summary: 'WebSocket alternative to the SSE stream, with client commands' }), auth, async (c, next) => {
      const upgrade = d.runtime.upgradeWebSocket
      if (!upgrade) throw unavailable('websocket', 'WebSocket is not available on this runtime adapter')
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
        throw new GatewayError(426, 'upgrade_required', 'Expected a WebSocket upgrade request')
      }
      const origin = c.req.header('origin')
      if (!origin) throw new GatewayError(403, 'origin_required', 'WebSocket Origin header required')
      if (!d.origins.allows(origin, c.req.url)) throw new GatewayError(403, 'origin_not_allowed', 'WebSocket origin not allowed')

      const principal = c.get('principal')
      const reservation = d.hub.reserve(principal.userId, 'ws', { tokenId: principal.tokenId ?? undefined, role: principal.role })
      // The handshake may still fail after this handler returns; give the slot back if it never opens.
      const abandoned = unrefTimer(setTimeout(() => reservation.release(), 30_000))
      const resumeFrom = lastEventId(c)
      let closeSink: (() => void) | undefined
      const handler = upgrade(() => {
        let session: WsSession | undefined
        return {
          onOpen: (_event: Event, ws: WSContext) => {
            clearTimeout(abandoned)
            const { sink, closed } =
              d.runtime.wsSink?.(ws, { bufferBytes: limits.subscriberBufferBytes }) ??
              createWsContextSink(ws, { maxBufferedBytes: limits.subscriberBufferBytes })
            closeSink = () => closed.fire()
            session = new WsSession({ send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) }, principal, d.commands)
            reservation.attach(sink, { lastEventId: resumeFrom })
          },
          onMessage: (event: MessageEvent, ws: WSContext) => {
            // Node and Bun refuse oversized frames in the protocol layer; Deno has no such option.
            if (exceedsBytes(event.data, limits.wsMaxPayloadBytes)) return ws.close(1009, 'Message too big')
            void session?.handle(event.data)
          },
          onClose: () => {
            clearTimeout(abandoned)
            closeSink?.()
            reservation.release()
          },
          onError: () => {
            closeSink?.()
            reservation.release()
          },
        }
      })
      try {
        const response = await handler(c, next)
        // No response: the Node adapter upgrades the socket after the route returns (it parked the
        // events on the request); this placeholder is what a plain HTTP client would get.
        return response ?? new Response(null, { status: 400 })
      } catch (error) {
        clearTimeout(abandoned)
        reservation.release()
        throw error
      }
    })
}

/** Whether a WebSocket message is over `max` bytes (UTF-8 for text), without encoding short ones. */
function exceedsBytes(data: unknown, max: number): boolean {
  if (typeof data === 'string') return data.length > max || (data.length * 3 > max && new TextEncoder().encode(data).length > max)
  if (data instanceof ArrayBuffer) return data.byteLength > max
  if (data instanceof Blob) return data.size > max
  return false
}
