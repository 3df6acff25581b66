import type { Gateway } from '../../src/gateway/gateway'
import type { OriginPolicy } from '../../src/middleware/origin-policy'

/**
 * What serving a gateway takes from it: a `Gateway`, or a `StartingGateway` that stands in for
 * one until its database can be reached.
 */
export interface ServableGateway extends Pick<Gateway, 'config' | 'fetch' | 'close'> {
  readonly origins: Pick<OriginPolicy, 'setListenAddress'>
}

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
