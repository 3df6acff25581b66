import { z } from 'zod'
import type { PinnedRequest } from '../../../gateway/runtime'
import { type AddressPolicy, checkPublicUrl, UnsafeUrlError } from '../../../lib/public-address'
import { VERSION } from '../../../version'
import { defineTool, type Tool } from '../tool'
import { htmlToText } from './html-text'

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
 * `http_fetch`: GET a public web page or API. SSRF-guarded: http(s) only, every address of the
 * host must be public, the request goes to the checked address, each redirect hop is checked the
 * same way, and time and size are capped. Always asks the user first.
 */
export function httpFetchTool(options: HttpFetchOptions): Tool {
  const timeoutMs = options.timeoutMs ?? 15_000
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const maxRedirects = options.maxRedirects ?? 5
  return defineTool({
    name: 'http_fetch',
    description: 'Fetch a public web page or HTTP API (GET) and return its text. Private and local network addresses are refused.',
    source: 'builtin',
    requiresApproval: true,
    input: z.object({ url: z.string().min(1).max(4096).describe('The http(s) URL to fetch') }),
    async execute({ url }, ctx) {
      // A plain controller and timer: on Node 20, `AbortSignal.any` holds `AbortSignal.timeout`
      // weakly, and a collected timeout signal never fires.
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
      const onCancel = () => controller.abort()
      ctx.signal.addEventListener('abort', onCancel, { once: true })
      const signal = controller.signal
      let target = url
      try {
        for (let hop = 0; ; hop++) {
          const { url: checked, address } = await checkPublicUrl(target, { resolveHost: options.resolveHost, policy: options.addressPolicy })
          const response = await options.fetchPinned(checked.href, {
            address,
            method: 'GET',
            headers: { 'user-agent': `agent-gateway/${VERSION} (http_fetch tool)`, accept: 'text/html,application/json,text/plain;q=0.9,*/*;q=0.5' },
            signal,
          })
          const location = response.headers.get('location')
          if (response.status >= 300 && response.status < 400 && location) {
            await response.body?.cancel().catch(() => undefined)
            if (hop >= maxRedirects) return { output: `Too many redirects (more than ${maxRedirects})`, isError: true }
            target = new URL(location, checked).href
            continue
          }
          return await describe(response, checked.href, maxBytes)
        }
      } catch (error) {
        if (error instanceof UnsafeUrlError) return { output: error.message, isError: true }
        if (ctx.signal.aborted) return { output: 'Cancelled', isError: true }
        if (timedOut) return { output: `The fetch took longer than ${Math.round(timeoutMs / 1000)} s`, isError: true }
        return { output: `Fetch failed: ${error instanceof Error ? error.message : String(error)}`, isError: true }
      } finally {
        clearTimeout(timer)
        ctx.signal.removeEventListener('abort', onCancel)
      }
    },
  })
}

async function describe(response: Response, url: string, maxBytes: number): Promise<{ output: string; isError?: boolean }> {
  const type = response.headers.get('content-type') ?? ''
  const head = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}\nURL: ${url}\nContent-Type: ${type || 'unknown'}`
  const { bytes, truncated } = await readCapped(response, maxBytes)
  if (type && !TEXTUAL.test(type)) return { output: `${head}\n\n[${bytes.length}${truncated ? '+' : ''} bytes of ${type} not shown: not text]`, isError: !response.ok }
  const raw = new TextDecoder().decode(bytes)
  const text = /html/i.test(type) || (!type && /^\s*<(!doctype|html)/i.test(raw)) ? htmlToText(raw) : raw
  return { output: `${head}\n\n${text}${truncated ? `\n[truncated at ${maxBytes} bytes]` : ''}`, isError: !response.ok }
}

async function readCapped(response: Response, maxBytes: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(), truncated: false }
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let truncated = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    const room = maxBytes - size
    if (value.length >= room) {
      chunks.push(value.subarray(0, room))
      size += room
      truncated = value.length > room
      await reader.cancel().catch(() => undefined)
      break
    }
    chunks.push(value)
    size += value.length
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const c of chunks) {
    bytes.set(c, offset)
    offset += c.length
  }
  return { bytes, truncated }
}
