import type { PinnedRequest } from '../../gateway/runtime'
import { type AddressPolicy, checkPublicUrl, UnsafeUrlError } from '../../lib/public-address'
import { VERSION } from '../../version'

export interface GuardedFetchDeps {
  resolveHost: (hostname: string) => Promise<string[]>
  fetchPinned: (url: string, init: PinnedRequest) => Promise<Response>
  /** Which addresses may be reached; public unicast only by default. */
  policy?: AddressPolicy | undefined
  /** Origins (`http://host:port`) where plain http is allowed: the configured registry. Everything else must be https. */
  httpOrigins?: readonly string[]
}

export interface GuardedGet {
  maxBytes: number
  timeoutMs: number
  /** Each hop is checked like the first; 0 = redirects are refused. */
  maxRedirects?: number
  accept?: string
  signal?: AbortSignal | undefined
}

export interface Downloaded {
  /** The URL the body came from (after redirects). */
  url: string
  status: number
  contentType: string
  bytes: Uint8Array
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
 * GET with the SSRF guard: https only (http only for the configured origins), no credentials in
 * the URL, every address of the host public (`checkPublicUrl`: loopback, private, link-local,
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
    if (url.protocol === 'http:') {
      if (!this.deps.httpOrigins?.includes(url.origin)) throw new UnsafeUrlError('Only https URLs are allowed (plain http only for the configured skill registry)')
    } else if (url.protocol !== 'https:') {
      throw new UnsafeUrlError(`Only https URLs are allowed, not ${url.protocol}`)
    }
    return checkPublicUrl(url.href, { resolveHost: this.deps.resolveHost, policy: this.deps.policy })
  }

  async get(raw: string, options: GuardedGet): Promise<Downloaded> {
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs)
    const maxRedirects = options.maxRedirects ?? 3
    let target = raw
    try {
      for (let hop = 0; ; hop++) {
        const { url, address } = await this.check(target)
        const response = await this.deps.fetchPinned(url.href, {
          address,
          method: 'GET',
          headers: { 'user-agent': `agent-gateway/${VERSION}`, accept: options.accept ?? '*/*' },
          signal,
        })
        const location = response.headers.get('location')
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel().catch(() => undefined)
          if (hop >= maxRedirects) throw new DownloadError(maxRedirects === 0 ? 'Redirects are not followed' : `Too many redirects (more than ${maxRedirects})`, 'redirects')
          target = new URL(location, url).href
          continue
        }
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined)
          throw new DownloadError(`${url.host} answered HTTP ${response.status}`, 'status', response.status)
        }
        const bytes = await readCapped(response, options.maxBytes)
        return { url: url.href, status: response.status, contentType: response.headers.get('content-type') ?? '', bytes }
      }
    } catch (error) {
      if (error instanceof UnsafeUrlError || error instanceof DownloadError) throw error
      if (signal.aborted && !options.signal?.aborted) throw new DownloadError(`The download took longer than ${Math.round(options.timeoutMs / 1000)} s`, 'timeout')
      throw new DownloadError(`The download failed: ${error instanceof Error ? error.message : String(error)}`, 'network')
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

/** Reads a body up to `maxBytes`; one byte more is an error (a declared larger length fails before reading). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '')
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new DownloadError(`The file is larger than ${formatBytes(maxBytes)}`, 'too_large')
  }
  if (!response.body) return new Uint8Array()
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new DownloadError(`The file is larger than ${formatBytes(maxBytes)}`, 'too_large')
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`)
