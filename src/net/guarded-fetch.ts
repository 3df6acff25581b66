import type { PinnedRequest } from '../ports/runtime'
import { type AddressPolicy, checkPublicUrl, UnsafeUrlError } from './public-address'
import { VERSION } from '../version'

export interface GuardedFetchDeps {
  resolveHost: (hostname: string) => Promise<string[]>
  fetchPinned: (url: string, init: PinnedRequest) => Promise<Response>
  /** Which addresses may be reached; public unicast only by default. */
  policy?: AddressPolicy | undefined
  /**
   * Where plain http is allowed: `true` anywhere (the agent's `http_fetch`), or a list of origins
   * (`http://host:port`, the configured skill registry). Otherwise https only.
   */
  allowHttp?: true | readonly string[]
  /**
   * Origins the operator configured (`http://host:port`, the skill registry): reached at whatever
   * address they resolve to, loopback and LAN included, plain http allowed. Only these exact
   * origins: a redirect from one to any other host is checked like a user's URL.
   */
  trustedOrigins?: readonly string[]
}

export interface GuardedGet {
  maxBytes: number
  timeoutMs: number
  /** Each hop is checked like the first; 0 = redirects are refused. */
  maxRedirects?: number
  accept?: string
  /** Extra request headers (a user agent...). */
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
  /** A body over `maxBytes`: `error` (default) fails, `truncate` keeps the first `maxBytes`. */
  overflow?: 'error' | 'truncate'
  /** Return non-2xx answers instead of failing with `DownloadError('status')`. */
  anyStatus?: boolean
}

export interface Downloaded {
  /** The URL the body came from (after redirects). */
  url: string
  status: number
  statusText: string
  contentType: string
  bytes: Uint8Array
  /** The body was cut at `maxBytes` (`overflow: 'truncate'`). */
  truncated: boolean
}

/** The download failed after the URL was allowed (status, size, time, connection). */
export class DownloadError extends Error {
  override readonly name = 'DownloadError'
  constructor(
    message: string,
    readonly reason: 'status' | 'too_large' | 'timeout' | 'network' | 'redirects',
    readonly status?: number,
  ) {
    super(message)
  }
}

/**
 * GET with the SSRF guard, for every outbound request made on a user's behalf (skill downloads,
 * the skill registry, the agent's `http_fetch`): https only unless `allowHttp`, no credentials
 * in the URL, every address of the host public (`checkPublicUrl`: loopback, private, link-local,
 * CGNAT, metadata and their IPv4-mapped / 6to4 / NAT64 spellings refused), the connection made
 * to the checked address (so DNS rebinding after the check goes nowhere), every redirect hop
 * checked the same way, and size and time capped while reading.
 */
export class GuardedFetcher {
  constructor(private readonly deps: GuardedFetchDeps) {}

  /** Throws `UnsafeUrlError` when the URL may not be fetched, without connecting anywhere. */
  async check(raw: string): Promise<{ url: URL; address: string }> {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new UnsafeUrlError(`Not a valid absolute URL: ${raw.slice(0, 200)}`)
    }
    if (this.deps.trustedOrigins?.includes(url.origin)) {
      return checkPublicUrl(url.href, { resolveHost: this.deps.resolveHost, policy: () => true })
    }
    const allowHttp = this.deps.allowHttp
    if (url.protocol === 'http:') {
      if (allowHttp !== true && !allowHttp?.includes(url.origin)) throw new UnsafeUrlError('Only https URLs are allowed (plain http only for the configured skill registry)')
    } else if (url.protocol !== 'https:') {
      throw new UnsafeUrlError(allowHttp === true ? `Only http and https URLs can be fetched, not ${url.protocol}` : `Only https URLs are allowed, not ${url.protocol}`)
    }
    return checkPublicUrl(url.href, { resolveHost: this.deps.resolveHost, policy: this.deps.policy })
  }

  async get(raw: string, options: GuardedGet): Promise<Downloaded> {
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs)
    const maxRedirects = options.maxRedirects ?? 3
    let target = raw
    let host = ''
    try {
      for (let hop = 0; ; hop++) {
        const { url, address } = await this.check(target)
        host = url.host
        const response = await this.deps.fetchPinned(url.href, {
          address,
          method: 'GET',
          headers: { 'user-agent': `agent-gateway/${VERSION}`, accept: options.accept ?? '*/*', ...options.headers },
          signal,
        })
        const location = response.headers.get('location')
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel().catch(() => undefined)
          if (hop >= maxRedirects) throw new DownloadError(maxRedirects === 0 ? 'Redirects are not followed' : `Too many redirects (more than ${maxRedirects})`, 'redirects')
          target = new URL(location, url).href
          continue
        }
        if (!response.ok && !options.anyStatus) {
          await response.body?.cancel().catch(() => undefined)
          throw new DownloadError(`${url.host} answered HTTP ${response.status}`, 'status', response.status)
        }
        const { bytes, truncated } = await readCapped(response, options.maxBytes, options.overflow ?? 'error')
        return { url: url.href, status: response.status, statusText: response.statusText, contentType: response.headers.get('content-type') ?? '', bytes, truncated }
      }
    } catch (error) {
      if (error instanceof UnsafeUrlError || error instanceof DownloadError) throw error
      if (signal.aborted && !options.signal?.aborted) throw new DownloadError(`The download took longer than ${Math.round(options.timeoutMs / 1000)} s`, 'timeout')
      // Never the socket's own words (`connect EHOSTUNREACH ::7f00:1:443`): they name addresses
      // and ports of the network the gateway sits in.
      throw new DownloadError(host ? `Could not get an answer from ${host}` : 'The request failed', 'network')
    }
  }

  /** GET and parse JSON (same guard and limits). */
  async getJson(raw: string, options: GuardedGet): Promise<unknown> {
    const { bytes } = await this.get(raw, { accept: 'application/json', ...options })
    try {
      return JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      throw new DownloadError('The answer is not valid JSON', 'network')
    }
  }
}

/**
 * Reads a body up to `maxBytes`. Past it: an error (a declared larger length fails before
 * reading), or with `truncate` the first `maxBytes` and `truncated: true`.
 */
async function readCapped(response: Response, maxBytes: number, overflow: 'error' | 'truncate'): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const tooLarge = () => new DownloadError(`The file is larger than ${formatBytes(maxBytes)}`, 'too_large')
  const declared = Number(response.headers.get('content-length') ?? '')
  if (overflow === 'error' && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  if (!response.body) return { bytes: new Uint8Array(), truncated: false }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (size + value.length > maxBytes) {
      await reader.cancel().catch(() => undefined)
      if (overflow === 'error') throw tooLarge()
      chunks.push(value.subarray(0, maxBytes - size))
      size = maxBytes
      truncated = true
      break
    }
    size += value.length
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return { bytes: out, truncated }
}

const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`)
