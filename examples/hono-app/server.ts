/**
 * An existing Hono app on Node that embeds the gateway under `/agent` with its own agent.
 *
 *   npm install agent-gateway hono @hono/node-server && npm install -D tsx
 *   npx tsx examples/hono-app/server.ts      # then open http://127.0.0.1:8080/agent/
 *
 * Configured by the same environment as the `gateway` command (GATEWAY_AUTH_TOKEN,
 * GATEWAY_DATA_DIR, DATABASE_URL, GATEWAY_HOST/GATEWAY_PORT, ...): see examples/README.md.
 */
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createGateway, type GatewayOptions, nodeWebSocketServer } from 'agent-gateway/node'
import { gatewayOptionsFromEnv, listenAddress } from '../gateway-env'
import { notesAgent } from '../notes-agent'

export async function startHonoApp(options: { port?: number; gateway?: GatewayOptions } = {}) {
  const notes = ['Water the plants on Friday', 'The wifi password is on the fridge']
  const gateway = await createGateway(gatewayOptionsFromEnv(options.gateway))
  gateway.withAgent(notesAgent(gateway.channel, notes))

  const app = new Hono()
  app.get('/', (c) => c.html('<h1>My notes</h1><p><a href="/agent/">Ask the assistant</a></p>'))
  app.get('/api/health', (c) => c.json({ app: 'notes', ok: true }))
  app.post('/notes', async (c) => (notes.push(await c.req.text()), c.body(null, 204)))
  // The gateway's API, streams and web app, all under /agent.
  app.route('/agent', gateway.app)

  const { hostname, port } = listenAddress()
  const server = serve({ fetch: app.fetch, hostname, port: options.port ?? port, websocket: { server: nodeWebSocketServer(gateway) } }) as Server
  await once(server, 'listening')
  const url = `http://${hostname}:${(server.address() as AddressInfo).port}`
  return {
    url,
    gateway,
    notes,
    async close() {
      await gateway.close()
      server.closeAllConnections()
      server.close()
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = await startHonoApp()
  console.log(`notes app on ${app.url}; gateway listening on ${app.url}/agent/`)
  if (app.gateway.generatedToken) console.log(`assistant token: ${app.gateway.generatedToken}`)
}
