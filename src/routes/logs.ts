import { Hono } from 'hono'
import { requireAdmin, requireAuth } from '../auth/auth-middleware'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { openSseResponse } from '../hub/sse-response'
import { need } from '../lib/errors'
import { jsonBody } from '../middleware/validate'
import { LogLevelState, SetLogLevelRequest } from '../protocol/logs'

/**
 * `/api/logs/*`, admins only: the live log stream (SSE; `?token=` accepted, as browsers cannot
 * give EventSource a header) and the run-time level. Mounted with its own auth, next to the chat
 * streams. Log streams have their own cap and do not take chat stream slots.
 */
export const logRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get(
      '/api/logs/events',
      routeDoc({ summary: 'Live log lines (SSE `event: log`): the last 500, then new ones; already redacted', sse: true }),
      requireAuth(d.auth, { allowQueryToken: true }),
      requireAdmin,
      (c) => {
        const logs = need(d.services.logs, 'logs')
        // The same credential is checked again whenever credentials change anywhere, so a
        // revoked token or a demoted admin stops receiving logs (also when opened with a ticket).
        const credential = c.get('credential')
        const stillAllowed = async () => (await d.auth.authenticateDigest(credential))?.role === 'admin'
        const reservation = logs.reserveStream({ stillAllowed })
        try {
          const { sink, response } = openSseResponse(c, d.runtime, { queue: reservation.queue, bufferBytes: d.config.limits.subscriberBufferBytes, keepAlive: d.hub.keepAlive })
          reservation.follow(sink)
          return response
        } catch (error) {
          reservation.release()
          throw error
        }
      },
    )
    .get('/api/logs/level', routeDoc({ summary: 'The current log level', response: LogLevelState }), requireAuth(d.auth), requireAdmin, (c) =>
      c.json(need(d.services.logs, 'logs').state()),
    )
    .put(
      '/api/logs/level',
      routeDoc({ summary: 'Change the log level at run time (audited; applies on every instance)', response: LogLevelState }),
      requireAuth(d.auth),
      requireAdmin,
      jsonBody(SetLogLevelRequest),
      async (c) => c.json(await need(d.services.logs, 'logs').setLevel(c.req.valid('json').level, c.get('principal').userId)),
    )
