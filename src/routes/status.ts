import { Hono } from 'hono'
import type { RouteDeps } from '../gateway/deps'
import type { GatewayEnv } from '../gateway/env'
import { describe } from '../gateway/openapi-registry'
import { type GatewayStatus as Status, GatewayStatus, WhoAmI } from '../protocol/status'

/** `GET /api/gateway/status` and `GET /api/auth/whoami`. */
export const statusRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get('/api/gateway/status', describe({ summary: 'Uptime, connections and configuration', response: GatewayStatus }), (c) => {
      const counts = d.hub.counts()
      const body: Status = {
        version: d.version,
        sse_connections: counts.sse,
        ws_connections: counts.ws,
        total_connections: counts.total,
        uptime_secs: Math.floor((d.clock.now() - d.startedAt) / 1000),
        restart_enabled: false,
        llm_backend: d.config.llm.baseUrl || d.config.llm.apiKey ? d.config.llm.backend : null,
        llm_model: d.config.llm.model ?? null,
        enabled_channels: ['gateway'],
        database: d.database,
        subsystems: Object.fromEntries(Object.entries(d.services).map(([name, service]) => [name, service != null])),
      }
      return c.json(body)
    })
    .get('/api/auth/whoami', describe({ summary: 'Validate a token and say whose it is', response: WhoAmI }), async (c) => {
      const p = c.get('principal')
      // The stored name is fresher than the cached principal's (and the owner's lives only there).
      const user = await d.services.users?.get(p.userId).catch(() => undefined)
      return c.json({ user_id: p.userId, role: p.role, display_name: user?.display_name ?? p.displayName, token_id: p.tokenId })
    })
