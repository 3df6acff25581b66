import { websocket } from 'hono/bun'
import type { Gateway } from '../../src/gateway/gateway'
import { listenUrl, type ServableGateway, type ServedGateway } from '../shared/served-gateway'
import type { BunServerLike, BunWebSocketHandlerLike } from './bun'
import { bun } from './bun-global'
import { onBunDrain } from './ws-sink'

export interface RunningServer extends ServedGateway {
  server: BunServerLike
}

/**
 * The `websocket` handler for `Bun.serve`: hono/bun's, plus the drain event for backpressure,
 * the payload cap, and protocol pings (a peer silent for 120 s is closed).
 *
 * @example
 * ```ts
 * Bun.serve({ port: 8080, fetch: (request, server) => gateway.fetch(request, server), websocket: bunWebSocket(gateway) })
 * ```
 */
export function bunWebSocket(gateway: Pick<Gateway, 'config'>): BunWebSocketHandlerLike {
  return {
    ...websocket,
    drain: onBunDrain,
    maxPayloadLength: gateway.config.limits.wsMaxPayloadBytes,
    idleTimeout: 120,
    sendPings: true,
    perMessageDeflate: false,
  }
}

/**
 * Serves a gateway (or one still starting) with `Bun.serve`. HTTP connections may stay silent a
 * little longer than the SSE keep-alive interval (Bun's default of 10 s would cut idle event streams).
 *
 * @example
 * ```ts
 * const server = await serveGateway(await createGateway(), { port: 8080 })
 * console.log(`listening on ${server.url}`)
 * process.once('SIGTERM', () => void server.close())
 * ```
 */
export async function serveGateway(gateway: ServableGateway, options: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const host = options.host ?? gateway.config.host
  const keepAliveSeconds = Math.ceil(gateway.config.limits.keepAliveMs / 1000)
  const server = bun().serve({
    hostname: host,
    port: options.port ?? gateway.config.port,
    // hono/bun's upgradeWebSocket finds the server in the handler's second argument.
    fetch: (request, srv) => gateway.fetch(request, srv),
    error: () =>
      new Response(JSON.stringify({ error: { code: 'internal_error', message: 'Internal error' } }), {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
      }),
    websocket: bunWebSocket(gateway),
    idleTimeout: keepAliveSeconds + 30 > 255 ? 0 : keepAliveSeconds + 30,
    development: false,
  })
  gateway.origins.setListenAddress(host, server.port)

  let closing: Promise<void> | undefined
  const close = (graceMs = 8_000): Promise<void> =>
    (closing ??= (async () => {
      // Stop listening first; the promise settles once every connection has ended.
      const drained = server.stop(false)
      await gateway.close()
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
      clearTimeout(timer)
      await server.stop(true)
    })())

  return { server, url: listenUrl(host, server.port), port: server.port, host, close }
}
