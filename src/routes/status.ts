import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { type GatewayStatus as Status, GatewayStatus, WhoAmI } from '../protocol/status'
import { startOfUtcDay } from '../lib/time'

/** `GET /api/gateway/status` and `GET /api/auth/whoami`. */
export const statusRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get('/api/gateway/status', routeDoc({ summary: 'Uptime, connections, configuration and today\'s LLM spend (a member: its own)', response: GatewayStatus }), async (c) => {
      const p = c.get('principal')
      const admin = p.role === 'admin'
      const counts = d.hub.counts(admin ? undefined : p.userId)
      const llm = d.services.llm
      const usage = d.services.usage
      const body: Status = {
        scope: admin ? 'gateway' : 'user',
        version: d.version,
        sse_connections: counts.sse,
        ws_connections: counts.ws,
        total_connections: counts.total,
        uptime_secs: Math.floor((d.clock.now() - d.startedAt) / 1000),
        restart_enabled: false,
        llm_backend: llm?.backend ?? null,
        llm_model: llm?.model ?? null,
        enabled_channels: ['gateway'],
        // How the gateway is deployed is the admins' business.
        ...(admin
          ? {
              database: d.database,
              subsystems: Object.fromEntries(Object.entries(d.services).map(([name, service]) => [name, service != null])),
              runtime: d.runtime.name,
              ...(d.services.jobs ? { isolation: d.services.jobs.isolation } : {}),
            }
          : {}),
      }
      if (usage) {
        // Members see their own spend; admins see the whole gateway's.
        const scope = { since: startOfUtcDay(d.clock.now()), ...(admin ? {} : { userId: p.userId }) }
        const [totals, models] = await Promise.all([usage.totals(scope), usage.byModel(scope)])
        body.daily_cost = Number(totals.cost_usd).toFixed(4)
        body.model_usage = models
      }
      return c.json(body)
    })
    .get('/api/auth/whoami', routeDoc({ summary: 'Validate a token and say whose it is', response: WhoAmI }), async (c) => {
      const p = c.get('principal')
      // The stored name is fresher than the cached principal's (and the owner's lives only there).
      const user = await d.services.users?.get(p.userId).catch(() => undefined)
      return c.json({ user_id: p.userId, role: p.role, display_name: user?.display_name ?? p.displayName, token_id: p.tokenId, minted_by: p.mintedBy ?? null, impersonation: p.impersonation === true })
    })
