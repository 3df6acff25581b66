import { Hono } from 'hono'
import { z } from 'zod'
import { requireAdmin } from '../auth/auth-middleware'
import type { RouteDeps } from '../gateway/deps'
import type { GatewayEnv } from '../gateway/env'
import { describe } from '../gateway/openapi-registry'
import { need } from '../lib/errors'
import { SlidingWindowLimiter } from '../lib/sliding-window-limiter'
import { jsonBody, params } from '../middleware/validate'
import { assertReach } from '../services/users/account-reach'
import { ApprovePairingRequest, PairingApproved, PairingChannel, PairingList } from '../protocol/pairing'

const ChannelParam = z.object({ channel: PairingChannel })

/** Failed approvals allowed per channel per window: codes are short, so guessing must be slow. */
export const PAIRING_FAILURES_PER_WINDOW = 10
export const PAIRING_FAILURE_WINDOW_MS = 5 * 60_000

/**
 * A failed action: a real 4xx status whose body keeps the `ActionResponse` shape clients read
 * (`success: false`, `message`) and also carries the error envelope.
 */
const actionFailure = (status: 400 | 404 | 429, code: string, message: string, headers?: Record<string, string>) =>
  new Response(JSON.stringify({ success: false, message, error: { code, message } }), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
  })

/**
 * `/api/pairing/{channel}`: admins see pending pairing requests and approve them by code, for
 * themselves; pairing a sender with another user (`user_id`) is the owner's alone, like minting
 * that user a token.
 */
export const pairingRoutes = (d: RouteDeps) => {
  const failures = new SlidingWindowLimiter(PAIRING_FAILURES_PER_WINDOW, PAIRING_FAILURE_WINDOW_MS, () => d.clock.now())
  const pairing = () => need(d.services.pairing, 'pairing')
  return new Hono<GatewayEnv>()
    .use('/api/pairing/*', requireAdmin)
    .get('/api/pairing/:channel', describe({ summary: 'Pending pairing requests of a channel (they expire after 15 minutes)', response: PairingList }), params(ChannelParam), async (c) => {
      const { channel } = c.req.valid('param')
      return c.json({ channel, requests: await pairing().list(channel) })
    })
    .post(
      '/api/pairing/:channel/approve',
      describe({ summary: 'Approve a pairing request by its code (10 failed attempts per 5 minutes per channel)', response: PairingApproved }),
      params(ChannelParam),
      jsonBody(ApprovePairingRequest),
      async (c) => {
        const service = pairing()
        const { channel } = c.req.valid('param')
        const { code, user_id } = c.req.valid('json')
        const principal = c.get('principal')
        // A sender paired with another user speaks as that user: as much as a token of theirs.
        if (user_id !== undefined) assertReach(principal, user_id, d.config.userId, 'impersonate')
        // Every attempt takes a slot; a successful one gives it back, so only failures count.
        const slot = failures.hit(channel)
        if (!slot.ok) {
          const retryAfter = String(Math.ceil(slot.retryAfterMs / 1000))
          return actionFailure(429, 'rate_limited', 'Too many failed approve attempts; try again later', { 'Retry-After': retryAfter })
        }
        if (code.trim() === '') return actionFailure(400, 'invalid_request', 'A pairing code is required')
        if (user_id !== undefined && user_id !== principal.userId && !(await need(d.services.users, 'users').get(user_id))) {
          failures.refund(channel)
          return actionFailure(404, 'user_not_found', 'User not found')
        }
        const approval = await service.approve(channel, code, principal.userId, user_id)
        if (!approval) return actionFailure(404, 'pairing_code_invalid', 'Invalid or expired pairing code')
        failures.refund(channel)
        return c.json({ success: true, message: `Pairing approved for sender '${approval.senderId}'`, sender_id: approval.senderId, user_id: approval.userId })
      },
    )
}
