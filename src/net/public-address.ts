import ipaddr from 'ipaddr.js'

/** Decides whether an IP address may be connected to. */
export type AddressPolicy = (address: string) => boolean

type V6 = ipaddr.IPv6

const cidr = (text: string): [V6, number] => ipaddr.parseCIDR(text) as [V6, number]
/** The only IPv6 space routed on the internet (RFC 4291 global unicast). */
const GLOBAL_UNICAST = cidr('2000::/3')
/**
 * Inside it, what is not a public host: IETF protocol assignments (Teredo, benchmarking, AMT,
 * AS112, ORCHID...: RFC 2928), documentation (RFC 3849, RFC 9637). 6to4 and NAT64 are judged by
 * the IPv4 address they carry.
 */
const NOT_HOSTS = [cidr('2001::/23'), cidr('2001:db8::/32'), cidr('3fff::/20')]
/** Well-known NAT64 prefix (RFC 6052): the last 32 bits are the IPv4 destination. */
const NAT64 = cidr('64:ff9b::/96')
/** 6to4 (RFC 3056): bits 16-47 are the IPv4 address of the relay's other end. */
const SIX_TO_FOUR = cidr('2002::/16')

const v4Public = (ip: ipaddr.IPv4): boolean => ip.range() === 'unicast'

const embeddedV4 = (bytes: number[], at: number): ipaddr.IPv4 => new ipaddr.IPv4(bytes.slice(at, at + 4))

function v6Public(ip: V6): boolean {
  const bytes = ip.toByteArray()
  if (ip.match(NAT64)) return v4Public(embeddedV4(bytes, 12))
  // The rest of ::/8 holds ::, ::1, IPv4-compatible ::a.b.c.d, IPv4-mapped ::ffff:a.b.c.d and
  // SIIT forms: none is a host on the internet, whatever IPv4 address it spells.
  if (bytes[0] === 0) return false
  if (ip.match(SIX_TO_FOUR)) return v4Public(embeddedV4(bytes, 2))
  if (!ip.match(GLOBAL_UNICAST) || NOT_HOSTS.some((range) => ip.match(range))) return false
  return ip.range() === 'unicast'
}

/**
 * ipaddr.js reads `::a.b.c.d` (IPv4-compatible, ::/96) as if it were `::ffff:a.b.c.d`; the
 * WHATWG URL parser spells it correctly (`::a.b.c.d` -> `::102:304`), so dotted IPv6 text is
 * normalised through it before the bits are judged.
 */
function parseV6(text: string): V6 | undefined {
  let normal = text
  if (text.includes('.')) {
    try {
      normal = new URL(`http://[${text}]/`).hostname.slice(1, -1)
    } catch {
      return undefined
    }
  }
  return ipaddr.IPv6.isValid(normal) ? ipaddr.IPv6.parse(normal) : undefined
}

/**
 * Only public unicast addresses, judged on their bits, not their spelling. IPv4: refuses
 * loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT
 * (100.64/10, Alibaba's metadata), reserved and documentation ranges, multicast, broadcast and
 * 0/8. IPv6: only global unicast (2000::/3) outside its special-purpose blocks; all of ::/8
 * (loopback, unspecified, IPv4-compatible and IPv4-mapped), unique-local fc00::/7, link-local
 * fe80::/10, multicast, discard, documentation, Teredo, and NAT64 / 6to4 addresses that carry a
 * non-public IPv4 address are refused.
 */
export const publicAddressOnly: AddressPolicy = (address) => {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return v4Public(ipaddr.IPv4.parse(address))
  const v6 = address.includes(':') ? parseV6(address) : undefined
  return v6 !== undefined && v6Public(v6)
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
