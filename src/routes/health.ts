import { Hono } from 'hono'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { HealthResponse } from '../protocol/status'

const HEALTHY = JSON.stringify({ status: 'healthy', channel: 'gateway' })
// A plain record, not `c.body(..., headers)`: with two headers Hono builds a `Headers` object,
// which @hono/node-server then turns back into a record (~0.7 us of a health check; bench: `http`).
const HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }

/** `GET /api/health`: public liveness, no version (nothing for a scanner to fingerprint). */
export const healthRoutes = () =>
  new Hono<GatewayEnv>().get('/api/health', routeDoc({ summary: 'Liveness check', response: HealthResponse, auth: false }), () =>
    new Response(HEALTHY, { status: 200, headers: HEADERS }),
  )
