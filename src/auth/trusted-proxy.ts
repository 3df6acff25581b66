import type { Context } from 'hono'
import ipaddr from 'ipaddr.js'
import { GatewayError } from '../lib/errors'

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number]

/**
 * Identity from a reverse proxy's header (`GATEWAY_TRUSTED_PROXY_HEADER`), believed only when the
 * connection comes from `GATEWAY_TRUSTED_PROXIES`. The address is the socket's peer as the
 * runtime adapter reports it, never a forwarded header (which anyone can send). A request that
 * carries the header from anywhere else is refused, so a client that reached the gateway around
 * its proxy cannot pick an identity, nor is it quietly signed in as someone else.
 */
export class TrustedProxy {
  readonly header: string | undefined
  readonly #ranges: Range[]

  constructor(
    options: { header?: string | undefined; proxies: readonly string[] },
    private readonly remoteAddress: ((c: Context) => string | undefined) | undefined,
  ) {
    this.header = options.header?.toLowerCase()
    this.#ranges = options.proxies.map(parseRange)
    if (this.header && this.#ranges.length === 0) {
      throw new Error('GATEWAY_TRUSTED_PROXY_HEADER needs GATEWAY_TRUSTED_PROXIES (the addresses or CIDRs of the proxy)')
    }
  }

  get enabled(): boolean {
    return this.header !== undefined
  }

  /**
   * The user the proxy vouches for, or undefined when the request has no such header (or the
   * feature is off). Throws 403 `untrusted_proxy` when the header came from another address.
   */
  identity(c: Context): string | undefined {
    if (!this.header) return undefined
    const value = c.req.header(this.header)
    if (value === undefined) return undefined
    const remote = this.remoteAddress?.(c)
    if (!remote || !this.trusts(remote)) {
      throw new GatewayError(403, 'untrusted_proxy', `The ${this.header} header is only accepted from the configured trusted proxies (GATEWAY_TRUSTED_PROXIES); this request came from ${remote ?? 'an unknown address'}`)
    }
    const user = value.trim()
    if (user.length === 0 || user.length > 256 || /[\u0000-\u001f]/.test(user)) throw new GatewayError(400, 'invalid_proxy_identity', `The ${this.header} header names no valid user`)
    return user
  }

  trusts(address: string): boolean {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6
    try {
      // `::ffff:10.0.0.1` (Node's dual-stack sockets) is the IPv4 address it maps.
      parsed = ipaddr.process(address.replace(/%.*$/, ''))
    } catch {
      return false
    }
    return this.#ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))
  }
}

function parseRange(entry: string): Range {
  try {
    if (entry.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(entry)
      return [address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address, address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? bits - 96 : bits]
    }
    const address = ipaddr.process(entry)
    return [address, address.kind() === 'ipv4' ? 32 : 128]
  } catch {
    throw new Error(`GATEWAY_TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`)
  }
}
