/**
 * Baseline for the OpenAI proxy: node:http with the same bearer check, forwarding the request to
 * the upstream over a keep-alive agent and piping the streamed answer back unchanged.
 */
import { once } from 'node:events'
import { Agent, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkBearer } from '../lib/shared'

export async function start(args: { upstreamPort: number }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 })
  const server = createServer((req, res) => {
    if (!checkBearer(req.headers.authorization)) return void res.writeHead(401).end()
    const up = request(
      { host: '127.0.0.1', port: args.upstreamPort, method: 'POST', path: '/v1/chat/completions', agent, headers: { 'content-type': 'application/json' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/event-stream', 'cache-control': 'no-cache' })
        answer.pipe(res)
      },
    )
    up.on('error', () => res.destroy())
    res.on('close', () => {
      if (!res.writableFinished) up.destroy()
    })
    req.pipe(up)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    info: { port: (server.address() as AddressInfo).port, kind: 'raw-proxy' },
    commands: {},
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
