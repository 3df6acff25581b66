/** A gateway listening on a socket, whatever the runtime. */
export interface ServedGateway {
  /** `http://HOST:PORT` with the real port. */
  url: string
  port: number
  host: string
  /** Graceful stop: no new connections, streams get a final event / 1001, done within `graceMs`. */
  close(graceMs?: number): Promise<void>
}

/** `http://HOST:PORT`, with IPv6 hosts in brackets. */
export const listenUrl = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`
