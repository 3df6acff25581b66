import { Hono } from 'hono'
import { GatewayError } from '../lib/errors'
import { errorHandler, notFoundHandler } from '../middleware/error-handler'
import { accessLog } from '../middleware/access-log'
import { corsPolicy } from '../middleware/cors'
import { edge } from '../middleware/edge'
import type { OriginPolicy } from '../middleware/origin-policy'
import type { GatewayEnv } from '../ports/env'

/** How often a client is told to come back (`Retry-After`, seconds), as for a database outage later on. */
const RETRY_AFTER_SECONDS = '5'

/**
 * What an adapter serves while the gateway cannot be created yet because its database is
 * unreachable (a PostgreSQL that starts after the gateway under docker-compose or systemd), and
 * keeps trying: every request, `/api/health` included (so a readiness probe waits), answers 503
 * `database_unavailable` with `Retry-After`. Behind the same security headers and Host check as
 * the gateway itself, since it listens on the same address.
 */
export function standbyApp(origins: OriginPolicy): Hono<GatewayEnv> {
  return new Hono<GatewayEnv>()
    .onError(errorHandler)
    .notFound(notFoundHandler)
    // The gateway's own edge: Host check, CORS, headers. Nothing here reads a body.
    .use(edge({ origins, cors: corsPolicy(origins), corsSkip: () => false, bodyLimitBytes: 1024 * 1024, accessLog: accessLog(), runtime: {} }))
    .all('*', () => {
      throw new GatewayError(503, 'database_unavailable', 'The gateway is starting: its database cannot be reached yet; try again shortly', {
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      })
    })
}
