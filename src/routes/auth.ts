import { Hono } from 'hono'
import { isStreamPath } from '../auth/stream-tickets'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { badRequest, GatewayError } from '../lib/errors'
import { quotaExceeded } from '../lib/quota'
import { toIso } from '../lib/time'
import { jsonBody } from '../middleware/validate'
import { StreamTicket, StreamTicketRequest } from '../protocol/auth'

/**
 * `POST /api/auth/stream-ticket`: trades the caller's bearer token for a single-use ticket that
 * opens one stream route (`?ticket=`), so the token itself never appears in a URL.
 */
export const authRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>().post(
    '/api/auth/stream-ticket',
    routeDoc({ summary: 'A single-use ticket (valid 60 s) that opens one stream route with ?ticket=', response: StreamTicket }),
    jsonBody(StreamTicketRequest),
    (c) => {
      const { path } = c.req.valid('json')
      if (!isStreamPath(path)) throw badRequest('not_a_stream_path', `Tickets open stream routes only, not ${path}`)
      const issued = d.auth.tickets.issue(c.get('principal'), path, c.get('credential'))
      if (issued.refused) {
        const headers = { 'Retry-After': String(Math.ceil(issued.retryAfterMs / 1000)) }
        if (issued.refused === 'user_quota') {
          throw quotaExceeded('unused stream tickets', d.config.limits.quotas.pendingStreamTicketsPerUser, 'use them or let them expire first', issued.retryAfterMs / 1000)
        }
        throw new GatewayError(503, 'too_many_tickets', 'Too many unused stream tickets; try again shortly', { headers })
      }
      return c.json({ ticket: issued.ticket, path, expires_at: toIso(issued.expiresAt) } satisfies StreamTicket)
    },
  )
