import type { IncomingMessage, Server } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { upgradeWebSocket as nodeServerUpgrade } from '@hono/node-server'
import { defineWebSocketHelper, type WSEvents, WSContext } from 'hono/ws'
import type { WebSocket, WebSocketServer } from 'ws'

/**
 * WebSocket upgrades for the gateway on Node, with `ws`. It replaces @hono/node-server's helper
 * for one reason: that one keeps the whole upgrade request alive for the life of the socket
 * (Hono context, a `Request` copy, the `IncomingMessage`), 20 KB per idle connection against
 * 9 KB for a plain `ws` server (bench: `ws`). Here the route runs as a normal Hono request; when
 * it calls `upgradeWebSocket`, the events are parked on the request's env, and after the route
 * returns the socket is upgraded and handed to them, holding nothing of the request.
 */

const SLOT = Symbol('gateway.ws-upgrade')
type Slot = { events?: WSEvents<WebSocket> }
type UpgradeEnv = { incoming: IncomingMessage; outgoing: undefined; [SLOT]: Slot }

/** Hono's `upgradeWebSocket` for routes served by `attachWebSocketUpgrades`. */
export const upgradeWebSocket = defineWebSocketHelper<WebSocket>(async (c, events) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return
  const slot = (c.env as Partial<UpgradeEnv> | undefined)?.[SLOT]
  // Mounted in a host app served by @hono/node-server's own `serve({ websocket })`: use its path.
  if (!slot) return (await nodeServerUpgrade(() => events as never)(c, async () => undefined)) ?? undefined
  slot.events = events
  // Nothing to return: the socket is upgraded after the route (see `attachWebSocketUpgrades`).
  return undefined
})

/** Hop-by-hop and handshake headers that a refusal must not copy from the route's response. */
const SKIP = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade', 'sec-websocket-accept', 'sec-websocket-extensions', 'sec-websocket-protocol'])

function refuse(socket: Duplex, status: number, headers?: Headers): void {
  if (socket.destroyed) return
  const lines = ['Connection: close', 'Content-Length: 0']
  headers?.forEach((value, name) => {
    if (!SKIP.has(name)) lines.push(`${name}: ${value}`)
  })
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n`)
}

function upgradeRequest(request: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.append(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return new Request(`http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`, { headers })
}

/**
 * Routes `upgrade` requests through `fetch` (auth, origin check, connection caps) and upgrades
 * those whose route called `upgradeWebSocket`; the others get the route's status and headers.
 */
export function attachWebSocketUpgrades(
  server: Server,
  wss: WebSocketServer,
  fetch: (request: Request, env: UpgradeEnv) => Response | Promise<Response>,
): void {
  server.on('upgrade', async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ignore = () => undefined
    socket.on('error', ignore)
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400)
    const slot: Slot = {}
    let response: Response
    try {
      response = await fetch(upgradeRequest(request), { incoming: request, outgoing: undefined, [SLOT]: slot })
    } catch {
      return refuse(socket, 400)
    }
    const events = slot.events
    if (!events || socket.destroyed) {
      events?.onClose?.(new CloseEventClass('close', { code: 1006, reason: 'handshake aborted' }), closedContext)
      return refuse(socket, response.status === 200 ? 400 : response.status, response.headers)
    }
    const url = `http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', ignore)
      open(ws, events, url)
    })
  })
}

// Node 20 has no CloseEvent or ErrorEvent globals.
const CloseEventClass: typeof CloseEvent =
  globalThis.CloseEvent ??
  (class extends Event {
    readonly code: number
    readonly reason: string
    readonly wasClean: boolean
    constructor(type: string, init: CloseEventInit = {}) {
      super(type)
      this.code = init.code ?? 0
      this.reason = init.reason ?? ''
      this.wasClean = init.wasClean ?? false
    }
  } as unknown as typeof CloseEvent)
const ErrorEventClass: typeof ErrorEvent =
  globalThis.ErrorEvent ??
  (class extends Event {
    readonly error: unknown
    readonly message: string
    constructor(type: string, init: ErrorEventInit = {}) {
      super(type)
      this.error = init.error
      this.message = init.message ?? ''
    }
  } as unknown as typeof ErrorEvent)

/** Handed to `onClose` when the socket went away between the route and the upgrade. */
const closedContext = new WSContext<WebSocket>({ send: () => undefined, close: () => undefined, readyState: 3 })

function open(ws: WebSocket, events: WSEvents<WebSocket>, url: string): void {
  const ctx = new WSContext<WebSocket>({
    raw: ws,
    url,
    protocol: ws.protocol,
    get readyState() {
      return ws.readyState as 0 | 1 | 2 | 3
    },
    send: (data, options) => ws.send(data, { compress: options?.compress }),
    close: (code, reason) => ws.close(code, reason),
  })
  const guard = (fn: () => void) => {
    try {
      fn()
    } catch (error) {
      console.error(error)
    }
  }
  guard(() => events.onOpen?.(new Event('open'), ctx))
  ws.on('message', (data, isBinary) => {
    const parts = Array.isArray(data) ? data : [data]
    for (const part of parts) {
      const bytes = part instanceof ArrayBuffer ? Buffer.from(part) : part
      const payload = isBinary ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes.toString('utf8')
      guard(() => events.onMessage?.(new MessageEvent('message', { data: payload }), ctx))
    }
  })
  ws.on('close', (code, reason) => guard(() => events.onClose?.(new CloseEventClass('close', { code, reason: reason.toString(), wasClean: code === 1000 }), ctx)))
  ws.on('error', (error) => guard(() => events.onError?.(new ErrorEventClass('error', { error }), ctx)))
}
