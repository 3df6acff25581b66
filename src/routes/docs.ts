import { Hono } from 'hono'
import { z } from 'zod'
import type { GatewayEnv } from '../ports/env'
import { buildOpenApi, routeDoc } from '../middleware/route-doc'
import { AppEvent } from '../protocol/events'
import { WsClientFrame, WsServerFrame } from '../protocol/ws'

/**
 * Machine-readable docs built from the same zod schemas that validate requests:
 * `GET /api/openapi.json` and `GET /api/events.schema.json` (AppEvent and WS frames).
 */
export const docsRoutes = (appForDocs: () => Hono<any, any, any>, version: string, basePath = '') => {
  const openapi = new Map<string, string>()
  let events: string | undefined
  return new Hono<GatewayEnv>()
    .get('/api/openapi.json', routeDoc({ summary: 'This API as OpenAPI 3.0', auth: false }), (c) => {
      // Where the API is mounted (`/agent`, by basePath or a host's route()), for `servers`.
      const mount = c.req.path.slice(0, -'/api/openapi.json'.length)
      let body = openapi.get(mount)
      if (body === undefined) {
        body = JSON.stringify(buildOpenApi(appForDocs(), { title: 'Agent gateway', version, routePrefix: basePath, serverUrl: mount || undefined }))
        if (openapi.size < 8) openapi.set(mount, body)
      }
      return c.body(body, 200, { 'Content-Type': 'application/json' })
    })
    .get('/api/events.schema.json', routeDoc({ summary: 'JSON Schema of events and WebSocket frames', auth: false }), (c) => {
      events ??= JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $defs: {
          AppEvent: z.toJSONSchema(AppEvent, { unrepresentable: 'any' }),
          WsClientFrame: z.toJSONSchema(WsClientFrame, { io: 'input', unrepresentable: 'any' }),
          WsServerFrame: z.toJSONSchema(WsServerFrame, { unrepresentable: 'any' }),
        },
      })
      return c.body(events, 200, { 'Content-Type': 'application/json' })
    })
}
