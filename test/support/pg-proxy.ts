import net from 'node:net'

/**
 * A TCP proxy in front of PostgreSQL that the test can turn against the gateway:
 * - `cut()`: every connection reset, new ones refused (the server stopped);
 * - `blackhole()`: every connection, open or new, stays open and forwards nothing, in either
 *   direction (a dead route, a firewall dropping packets, a failed-over address). The bytes are
 *   dropped, not held, so connections blackholed once stay dead after `restore()`, as after a
 *   failover: the gateway has to let go of them by itself;
 * - `delay(ms)`: forwards every chunk `ms` late (a slow or overloaded server);
 * - `restore()`: new connections forward again (and the delay is gone).
 */
export async function pgProxy(target: URL) {
  const sockets = new Set<net.Socket>()
  const links = new Set<{ silent: boolean }>()
  const [host, port] = [target.hostname, Number(target.port || 5432)]
  let mode: 'forward' | 'refuse' | 'blackhole' = 'forward'
  let delayMs = 0
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
  }
  const server = net.createServer((client) => {
    track(client)
    if (mode === 'refuse') return void client.resetAndDestroy()
    // Accepted, read and never answered.
    if (mode === 'blackhole') return void client.resume()
    const upstream = net.connect(port, host)
    track(upstream)
    const link = { silent: false }
    links.add(link)
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk) => {
        if (link.silent) return
        if (delayMs > 0) setTimeout(() => to.write(chunk), delayMs)
        else to.write(chunk)
      })
    }
    forward(client, upstream)
    forward(upstream, client)
    client.on('close', () => (upstream.destroy(), links.delete(link)))
    // A blackholed server's close does not reach the gateway either.
    upstream.on('close', () => link.silent || client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      mode = 'refuse'
      for (const s of sockets) s.resetAndDestroy()
    },
    blackhole() {
      mode = 'blackhole'
      for (const link of links) link.silent = true
    },
    delay(ms: number) {
      delayMs = ms
    },
    restore() {
      mode = 'forward'
      delayMs = 0
    },
    /** Connections the proxy holds open (both sides counted). */
    get sockets() {
      return sockets.size
    },
    close() {
      for (const s of sockets) s.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export type PgProxy = Awaited<ReturnType<typeof pgProxy>>
