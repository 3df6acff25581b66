import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { nodeWebSocketServer } from './listeners'
import { listenUrl, type ServableGateway, type ServedGateway } from '../shared/served-gateway'
import { closeIfBodyLeftUnread } from './unread-body'
import { attachWebSocketUpgrades } from './websocket'

export interface RunningServer extends ServedGateway {
  server: Server
}

/**
 * Serves a gateway (or one still starting) on Node with @hono/node-server and `ws` (`noServer`,
 * bounded `maxPayload`). Slow or stalled clients are cut by the header and request timeouts (slowloris).
 *
 * @example
 * ```ts
 * const server = await serveGateway(await createGateway(), { port: 8080 })
 * console.log(`listening on ${server.url}`)
 * process.once('SIGTERM', () => void server.close())
 * ```
 */
export async function serveGateway(
  gateway: ServableGateway,
  options: { host?: string; port?: number } = {},
): Promise<RunningServer> {
  const host = options.host ?? gateway.config.host
  const wss = nodeWebSocketServer(gateway)
  const { headersTimeoutMs, requestTimeoutMs } = gateway.config.limits
  const server = createAdaptorServer({
    fetch: gateway.fetch,
    hostname: host,
    serverOptions: {
      // Node refuses a header timeout above the request timeout.
      headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
      // The timeouts are enforced on this tick, so it must be finer than they are.
      connectionsCheckingInterval: Math.max(100, Math.min(2_000, Math.floor(headersTimeoutMs / 2))),
    },
  }) as Server
  server.prependListener('request', closeIfBodyLeftUnread)
  attachWebSocketUpgrades(server, wss, gateway.fetch as never)
  server.listen(options.port ?? gateway.config.port, host)
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  gateway.origins.setListenAddress(host, port)

  let closing: Promise<void> | undefined
  const close = (graceMs = 8_000): Promise<void> =>
    (closing ??= (async () => {
      const closed = once(server, 'close').catch(() => undefined)
      server.close()
      server.closeIdleConnections()
      await gateway.close()
      // Streams just ended; their keep-alive sockets are idle now.
      server.closeIdleConnections()
      wss.close()
      const wsGone = new Promise<void>((resolve) => {
        const check = setInterval(() => wss.clients.size === 0 && (clearInterval(check), resolve()), 20)
        setTimeout(() => (clearInterval(check), resolve()), Math.min(graceMs, 2_000)).unref()
      })
      // In-flight requests get a moment to finish; then every socket goes, stalled ones included.
      const deadline = setTimeout(() => server.closeAllConnections(), Math.min(graceMs, 2_000))
      const hardStop = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())
      await Promise.race([Promise.all([closed, wsGone]), hardStop])
      clearTimeout(deadline)
      server.closeAllConnections()
      // Upgraded sockets are no longer the HTTP server's: end any that ignored the 1001 close.
      for (const client of wss.clients) client.terminate()
    })())

  return { server, url: listenUrl(host, port), port, host, close }
}
