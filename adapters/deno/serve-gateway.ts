import { listenUrl, type ServableGateway, type ServedGateway } from '../shared/served-gateway'
import type { DenoHttpServerLike } from './deno'
import { deno } from './deno-global'

export interface RunningServer extends ServedGateway {
  server: DenoHttpServerLike
}

/**
 * Serves a gateway (or one still starting) with `Deno.serve` (quietly: the CLI prints the one
 * address line itself).
 *
 * @example
 * ```ts
 * const server = await serveGateway(await createGateway(), { port: 8080 })
 * console.log(`listening on ${server.url}`)
 * Deno.addSignalListener('SIGTERM', () => void server.close())
 * ```
 */
export async function serveGateway(gateway: ServableGateway, options: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const host = options.host ?? gateway.config.host
  let listened!: (port: number) => void
  const listening = new Promise<number>((resolve) => (listened = resolve))
  const server = deno().serve(
    {
      hostname: host,
      port: options.port ?? gateway.config.port,
      onListen: ({ port }) => listened(port),
      onError: () =>
        new Response(JSON.stringify({ error: { code: 'internal_error', message: 'Internal error' } }), {
          status: 500,
          headers: { 'Content-Type': 'application/json' },
        }),
    },
    (request, info) => gateway.fetch(request, info),
  )
  const port = await listening
  gateway.origins.setListenAddress(host, port)

  let closing: Promise<void> | undefined
  const close = (graceMs = 8_000): Promise<void> =>
    (closing ??= (async () => {
      // Streams end first (final event, WS 1001), so shutdown only waits for ordinary requests.
      await gateway.close()
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([server.shutdown(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))])
      clearTimeout(timer)
    })())

  return { server, url: listenUrl(host, port), port, host, close }
}
