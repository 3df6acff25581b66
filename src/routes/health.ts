import { Hono } from 'hono'
import type { GatewayEnv } from '../gateway/env'
import { describe } from '../gateway/openapi-registry'
import { HealthResponse } from '../protocol/status'

const HEALTHY = JSON.stringify({ status: 'healthy', channel: 'gateway' })

/** `GET /api/health`: public liveness, no version (nothing for a scanner to fingerprint). */
export const healthRoutes = () =>
  new Hono<GatewayEnv>().get('/api/health', describe({ summary: 'Liveness check', response: HealthResponse, auth: false }), (c) =>
    c.body(HEALTHY, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }),
  )
