/**
 * A plain node:http app that embeds the gateway under `/agent` with its own agent.
 *
 *   npm install agent-gateway && npm install -D tsx
 *   npx tsx examples/node-http/server.ts     # then open http://127.0.0.1:8080/agent/
 *
 * Configured by the same environment as the `gateway` command (GATEWAY_AUTH_TOKEN,
 * GATEWAY_DATA_DIR, DATABASE_URL, GATEWAY_HOST/GATEWAY_PORT, ...): see examples/README.md.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGateway, createNodeListeners, type GatewayOptions } from 'agent-gateway/node'
import { gatewayOptionsFromEnv, listenAddress } from '../gateway-env'
import { notesAgent } from '../notes-agent'

export async function startNodeHttpApp(options: { port?: number; gateway?: GatewayOptions } = {}) {
  const notes = ['Water the plants on Friday', 'The wifi password is on the fridge']
  // basePath: this server hands whole URLs on, so the gateway must know it lives under /agent.
  const gateway = await createGateway(gatewayOptionsFromEnv({ ...options.gateway, basePath: '/agent' }))
  gateway.withAgent(notesAgent(gateway.channel, notes))
  const assistant = createNodeListeners(gateway)

  const server = createServer((req, res) => {
    if (assistant.owns(req)) return assistant.request(req, res)
    if (req.url === '/api/health') return void res.setHeader('content-type', 'application/json').end('{"app":"notes","ok":true}')
    res.setHeader('content-type', 'text/html').end('<h1>My notes</h1><p><a href="/agent/">Ask the assistant</a></p>')
  })
  server.on('upgrade', (req, socket, head) => (assistant.owns(req) ? assistant.upgrade(req, socket, head) : socket.destroy()))

  const { hostname, port } = listenAddress()
  server.listen(options.port ?? port, hostname)
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
  const app = await startNodeHttpApp()
  console.log(`notes app on ${app.url}; gateway listening on ${app.url}/agent/`)
  if (app.gateway.generatedToken) console.log(`assistant token: ${app.gateway.generatedToken}`)
}
