import ipaddr from 'ipaddr.js'

/** Decides whether an IP address may be connected to. */
export type AddressPolicy = (address: string) => boolean

/**
 * Only public unicast addresses: refuses loopback, private, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT (100.64/10, Alibaba's metadata), unique-local and
 * reserved ranges, multicast, unspecified (0.0.0.0), and their IPv4-mapped / NAT64 / 6to4 forms.
 */
export const publicAddressOnly: AddressPolicy = (address) => {
  if (!ipaddr.isValid(address)) return false
  // `process` turns ::ffff:a.b.c.d into a.b.c.d, so a mapped private address is judged as itself.
  return ipaddr.process(address).range() === 'unicast'
}

export class UnsafeUrlError extends Error {
  override readonly name = 'UnsafeUrlError'
}

export interface UrlCheckDeps {
  resolveHost: (hostname: string) => Promise<string[]>
  policy?: AddressPolicy | undefined
}

/**
 * Checks that a URL may be fetched: http(s), no credentials, and a host whose every address the
 * policy allows. Returns the address to connect to, so the request cannot be sent elsewhere by a
 * second DNS answer (rebinding). Throws `UnsafeUrlError` with a reason the model can read.
 */
export async function checkPublicUrl(raw: string, deps: UrlCheckDeps): Promise<{ url: URL; address: string }> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new UnsafeUrlError(`Not a valid absolute URL: ${raw.slice(0, 200)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError(`Only http and https URLs can be fetched, not ${url.protocol}`)
  if (url.username || url.password) throw new UnsafeUrlError('URLs with credentials (user@host) are refused')
  const policy = deps.policy ?? publicAddressOnly
  // The WHATWG parser already normalised 127.1, 0x7f.1 and 2130706433 to 127.0.0.1.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  let addresses: string[]
  if (ipaddr.isValid(host)) addresses = [host]
  else {
    try {
      addresses = await deps.resolveHost(host.replace(/\.$/, ''))
    } catch {
      throw new UnsafeUrlError(`Could not resolve the host ${host}`)
    }
  }
  if (addresses.length === 0) throw new UnsafeUrlError(`Could not resolve the host ${host}`)
  for (const address of addresses) {
    if (!policy(address)) throw new UnsafeUrlError(`Refusing to fetch ${host}: it is not a public address (${address})`)
  }
  return { url, address: addresses[0]! }
}
