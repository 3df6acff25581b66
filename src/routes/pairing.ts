import { Hono } from 'hono'
import { requireAdmin } from '../auth/auth-middleware'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { actionFailure, need } from '../lib/errors'
import { SlidingWindowLimiter } from '../lib/sliding-window-limiter'
import { jsonBody, params } from '../middleware/validate'
import { assertReach } from '../auth/account-reach'
import { ApprovePairingRequest, PairingApproved, PairingChannelParam, PairingList } from '../protocol/pairing'

/** Failed approvals allowed per channel per window: codes are short, so guessing must be slow. */
const PAIRING_FAILURES_PER_WINDOW = 10
const PAIRING_FAILURE_WINDOW_MS = 5 * 60_000

/**
 * `/api/pairing/{channel}`: admins see pending pairing requests and approve them by code, for
 * themselves; pairing a sender with another user (`user_id`) is the owner's alone, like minting
 * that user a token. A failed approval keeps the `ActionResponse` shape clients read
 * (`success: false`, `message`) beside the error envelope (`actionFailure`).
 */
export const pairingRoutes = (d: RouteDeps) => {
  const failures = new SlidingWindowLimiter(PAIRING_FAILURES_PER_WINDOW, PAIRING_FAILURE_WINDOW_MS, () => d.clock.now())
  const pairing = () => need(d.services.pairing, 'pairing')
  return new Hono<GatewayEnv>()
    .use('/api/pairing/*', requireAdmin)
    .get('/api/pairing/:channel', routeDoc({ summary: 'Pending pairing requests of a channel (they expire after 15 minutes)', response: PairingList }), params(PairingChannelParam), async (c) => {
      const { channel } = c.req.valid('param')
      return c.json({ channel, requests: await pairing().list(channel) })
    })
    .post(
      '/api/pairing/:channel/approve',
      routeDoc({ summary: 'Approve a pairing request by its code (10 failed attempts per 5 minutes per channel)', response: PairingApproved }),
      params(PairingChannelParam),
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
          throw actionFailure(429, 'rate_limited', 'Too many failed approve attempts; try again later', {}, { headers: { 'Retry-After': retryAfter } })
        }
        if (code.trim() === '') throw actionFailure(400, 'invalid_request', 'A pairing code is required')
        if (user_id !== undefined && user_id !== principal.userId && !(await need(d.services.users, 'users').get(user_id))) {
          failures.refund(channel)
          throw actionFailure(404, 'user_not_found', 'User not found')
        }
        const approval = await service.approve(channel, code, principal.userId, user_id)
        if (!approval) throw actionFailure(404, 'pairing_code_invalid', 'Invalid or expired pairing code')
        failures.refund(channel)
        return c.json({ success: true, message: `Pairing approved for sender '${approval.senderId}'`, sender_id: approval.senderId, user_id: approval.userId })
      },
    )
}
