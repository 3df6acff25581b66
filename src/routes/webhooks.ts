import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { GatewayError, need } from '../lib/errors'
import { SlidingWindowLimiter } from '../lib/sliding-window-limiter'
import { params } from '../middleware/validate'
import { WEBHOOK_BODY_LIMIT, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WebhookAccepted, WebhookPathParam } from '../protocol/routines'

/** Deliveries per path per minute: one noisy sender cannot starve the other webhooks. */
const PER_PATH_LIMIT = 30
const WINDOW_MS = 60_000

/**
 * `POST /api/webhooks/{path}`: public (no bearer token); the delivery proves itself with an
 * HMAC-SHA256 signature over `<timestamp>.<body>` under the routine's secret, within 5 minutes of
 * our clock, once. Rate-limited per path before anything is looked up; bodies over 64 KiB are 413.
 */
export const webhookRoutes = (d: RouteDeps) => {
  const limiter = new SlidingWindowLimiter(PER_PATH_LIMIT, WINDOW_MS, () => d.clock.now())
  return new Hono<GatewayEnv>().post(
    '/api/webhooks/:path',
    routeDoc({
      summary: 'Fire a webhook routine. Headers: X-Webhook-Timestamp (unix seconds), X-Webhook-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">',
      response: WebhookAccepted,
      auth: false,
    }),
    params(WebhookPathParam),
    async (c) => {
      const { path } = c.req.valid('param')
      const decision = limiter.hit(path)
      if (!decision.ok) {
        throw new GatewayError(429, 'rate_limited', 'Too many deliveries to this webhook. Try again shortly.', {
          headers: { 'Retry-After': String(Math.ceil(decision.retryAfterMs / 1000)) },
        })
      }
      const declared = Number(c.req.header('content-length') ?? 0)
      if (declared > WEBHOOK_BODY_LIMIT) throw tooLarge()
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      if (bytes.byteLength > WEBHOOK_BODY_LIMIT) throw tooLarge()
      const routines = need(d.services.routines, 'routines')
      const accepted = await routines.webhook(path, {
        timestamp: c.req.header(WEBHOOK_TIMESTAMP_HEADER),
        signature: c.req.header(WEBHOOK_SIGNATURE_HEADER),
        body: new TextDecoder().decode(bytes),
      })
      return c.json(accepted)
    },
  )
}

const tooLarge = () => new GatewayError(413, 'payload_too_large', `Webhook bodies are limited to ${WEBHOOK_BODY_LIMIT / 1024} KiB`)
