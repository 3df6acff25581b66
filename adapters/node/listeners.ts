import { EventEmitter } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import { WebSocketServer } from 'ws'
import type { Gateway } from '../../src/gateway/gateway'
import { closeIfBodyLeftUnread } from './unread-body'
import { attachWebSocketUpgrades } from './websocket'

/**
 * A `ws` server for the gateway's upgrades: no own socket, the payload cap, no compression.
 *
 * @example
 * ```ts
 * serve({ fetch: app.fetch, port: 8080, websocket: { server: nodeWebSocketServer(gateway) } }) // @hono/node-server
 * ```
 */
export function nodeWebSocketServer(gateway: Pick<Gateway, 'config'>): WebSocketServer {
  return new WebSocketServer({ noServer: true, maxPayload: gateway.config.limits.wsMaxPayloadBytes, perMessageDeflate: false })
}

/** The gateway as listeners for a node:http server the host app already has. */
export interface NodeListeners {
  /** Whether a request is the gateway's: its path is `gateway.basePath` or below. */
  owns(req: IncomingMessage): boolean
  /** Serves a request (the server's `request` event). */
  request(req: IncomingMessage, res: ServerResponse): void
  /** Serves a WebSocket upgrade (the server's `upgrade` event). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
}

/**
 * Mounts a gateway in an existing node:http server: route the requests and upgrades it `owns()`
 * to it, and keep the rest for the host app. Create the gateway with `basePath` (the URL prefix
 * it lives under), since the host passes whole URLs on.
 *
 * @example
 * const gateway = await createGateway({ basePath: '/agent', agent: myAgent })
 * const agent = createNodeListeners(gateway)
 * const server = createServer((req, res) => (agent.owns(req) ? agent.request(req, res) : myApp(req, res)))
 * server.on('upgrade', (req, socket, head) => (agent.owns(req) ? agent.upgrade(req, socket, head) : socket.destroy()))
 */
export function createNodeListeners(gateway: Gateway): NodeListeners {
  const prefix = gateway.basePath
  const wss = nodeWebSocketServer(gateway)
  // Upgrades are handled on an emitter standing in for the server, so the host's own server and
  // its other upgrade listeners are left alone.
  const upgrades = new EventEmitter()
  attachWebSocketUpgrades(upgrades as never, wss, gateway.fetch as never)
  gateway.onClose(() => wss.close())
  const listener = getRequestListener(gateway.fetch)
  return {
    owns: (req) => {
      if (!prefix) return true
      const path = (req.url ?? '/').split('?', 1)[0]!
      return path === prefix || path.startsWith(`${prefix}/`)
    },
    request: (req, res) => {
      closeIfBodyLeftUnread(req, res)
      void listener(req, res)
    },
    upgrade: (req, socket, head) => void upgrades.emit('upgrade', req, socket, head),
  }
}
