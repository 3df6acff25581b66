import { z } from 'zod'
import type { PinnedRequest } from '../../ports/runtime'
import { type AddressPolicy, UnsafeUrlError } from '../../net/public-address'
import { type Downloaded, DownloadError, GuardedFetcher } from '../../net/guarded-fetch'
import { VERSION } from '../../version'
import { defineTool, type Tool } from '../tool'
import { htmlToText } from './html-text'
import { errorMessage } from '../../lib/errors'

export interface HttpFetchOptions {
  resolveHost: (hostname: string) => Promise<string[]>
  fetchPinned: (url: string, init: PinnedRequest) => Promise<Response>
  /** Which addresses may be reached; public unicast only by default. */
  addressPolicy?: AddressPolicy | undefined
  /** Whole fetch, redirects included. */
  timeoutMs?: number
  /** Bytes read from a response body at most. */
  maxBytes?: number
  maxRedirects?: number
}

const TEXTUAL = /^(text\/|application\/(json|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|javascript)|[^;]*\+json|[^;]*\+xml)/i

/**
 * `http_fetch`: GET a public web page or API. SSRF-guarded by the same `GuardedFetcher` as skill
 * downloads: http(s) only, every address of the host must be public, the request goes to the
 * checked address, each redirect hop is checked the same way, and time and size are capped.
 * Always asks the user first.
 */
export function httpFetchTool(options: HttpFetchOptions): Tool {
  const timeoutMs = options.timeoutMs ?? 15_000
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const maxRedirects = options.maxRedirects ?? 5
  const fetcher = new GuardedFetcher({ resolveHost: options.resolveHost, fetchPinned: options.fetchPinned, policy: options.addressPolicy, allowHttp: true })
  return defineTool({
    name: 'http_fetch',
    description: 'Fetch a public web page or HTTP API (GET) and return its text. Private and local network addresses are refused.',
    source: 'builtin',
    requiresApproval: true,
    input: z.object({ url: z.string().min(1).max(4096).describe('The http(s) URL to fetch') }),
    async execute({ url }, ctx) {
      try {
        const got = await fetcher.get(url, {
          maxBytes,
          timeoutMs,
          maxRedirects,
          overflow: 'truncate',
          anyStatus: true,
          signal: ctx.signal,
          headers: { 'user-agent': `agent-gateway/${VERSION} (http_fetch tool)`, accept: 'text/html,application/json,text/plain;q=0.9,*/*;q=0.5' },
        })
        return fetchResult(got, maxBytes)
      } catch (error) {
        if (error instanceof UnsafeUrlError) return { output: error.message, isError: true }
        if (ctx.signal.aborted) return { output: 'Cancelled', isError: true }
        if (error instanceof DownloadError && error.reason === 'timeout') return { output: `The fetch took longer than ${Math.round(timeoutMs / 1000)} s`, isError: true }
        if (error instanceof DownloadError && error.reason === 'redirects') return { output: `Too many redirects (more than ${maxRedirects})`, isError: true }
        if (error instanceof DownloadError) return { output: error.message, isError: true }
        return { output: `Fetch failed: ${errorMessage(error)}`, isError: true }
      }
    },
  })
}

function fetchResult(got: Downloaded, maxBytes: number): { output: string; isError?: boolean } {
  const type = got.contentType
  const ok = got.status >= 200 && got.status < 300
  const head = `HTTP ${got.status}${got.statusText ? ` ${got.statusText}` : ''}\nURL: ${got.url}\nContent-Type: ${type || 'unknown'}`
  if (type && !TEXTUAL.test(type)) return { output: `${head}\n\n[${got.bytes.length}${got.truncated ? '+' : ''} bytes of ${type} not shown: not text]`, isError: !ok }
  const raw = new TextDecoder().decode(got.bytes)
  const text = /html/i.test(type) || (!type && /^\s*<(!doctype|html)/i.test(raw)) ? htmlToText(raw) : raw
  return { output: `${head}\n\n${text}${got.truncated ? `\n[truncated at ${maxBytes} bytes]` : ''}`, isError: !ok }
}
