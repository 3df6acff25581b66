/**
 * The baseline: what a careful hand-written node:http + `ws` server does for the same routes,
 * with the same constant-time bearer check and the same bytes on the wire, headers included.
 * SSE fan-out is a `res.write` of one pre-encoded buffer per client; WebSocket fan-out a plain `ws.send` loop of
 * one pre-encoded buffer. Both skip a client whose buffer is over the gateway's cap.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import WebSocket, { WebSocketServer } from 'ws'
import { SECURITY_HEADERS } from '../../src/middleware/security-headers'
import { BENCH_USER, checkBearer, chunkEvent, publishLoop, trackSockets } from '../lib/shared'

const CAP = 1024 * 1024
/**
 * The headers the security bar asks of every response (CSP, nosniff, frame, referrer, COOP/CORP)
 * and CORS's `Vary`: the gateway must send them, so the baseline does too. Without them the raw
 * server skips ~13 us per request of node:http's own work (validating and writing seven more
 * headers, ~450 more bytes), which would be counted against the gateway's code.
 */
const RESPONSE_HEADERS = { ...SECURITY_HEADERS, Vary: 'Origin' }
const HEALTH = JSON.stringify({ status: 'healthy', channel: 'gateway' })

export async function start(args: { history?: string }) {
  const sse = new Set<ServerResponse>()
  const wsClients = new Set<WebSocket>()
  const history = args.history ?? '{}'
  let nextId = Date.now() * 1000

  const json = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { ...RESPONSE_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
    res.end(body)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/'
    if (url === '/api/health') return json(res, 200, HEALTH)
    if (!checkBearer(req.headers.authorization)) return json(res, 401, '{"error":{"code":"unauthorized","message":"Invalid or missing auth token"}}')
    if (url === '/api/auth/whoami') {
      return json(res, 200, JSON.stringify({ user_id: BENCH_USER, role: 'admin', display_name: null, token_id: null }))
    }
    if (url.startsWith('/api/chat/history')) return json(res, 200, history)
    if (url === '/api/chat/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
      res.write('retry: 3000\n\n')
      sse.add(res)
      res.once('close', () => sse.delete(res))
      return
    }
    json(res, 404, '{"error":{"code":"not_found","message":"no route"}}')
  })
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false })
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/api/chat/ws') || !checkBearer(req.headers.authorization)) return void socket.destroy()
    wss.handleUpgrade(req, socket, head, (ws) => {
      wsClients.add(ws)
      ws.once('close', () => wsClients.delete(ws))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const sockets = trackSockets(server)
  const port = (server.address() as import('node:net').AddressInfo).port

  const publish = () => {
    const id = ++nextId
    const event = chunkEvent()
    const data = JSON.stringify(event)
    if (sse.size > 0) {
      const frame = Buffer.from(`event: ${event.type}\nid: ${id}\ndata: ${data}\n\n`)
      for (const res of sse) if (res.writableLength < CAP) res.write(frame)
    }
    if (wsClients.size > 0) {
      const text = Buffer.from(`{"type":"event","event_type":"${event.type}","data":${data},"id":"${id}"}`)
      for (const ws of wsClients) if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < CAP) ws.send(text)
    }
  }

  return {
    info: { port, kind: 'raw' },
    commands: {
      broadcast: ({ count, rate }: { count: number; rate: number }) => publishLoop({ count, rate, sockets, publish }),
      subscribers: () => sse.size + wsClients.size,
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
