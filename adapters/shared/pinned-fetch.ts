import { lookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { Readable } from 'node:stream'
import type { PinnedRequest } from '../../src/ports/runtime'

/** Every address of a host name (A and AAAA), as the system resolver answers. */
export async function resolveHost(hostname: string): Promise<string[]> {
  const answers = await lookup(hostname, { all: true, verbatim: true })
  return answers.map((a) => a.address)
}

const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * One HTTP(S) request connected to a given IP address: the socket's `lookup` answers with the
 * address the SSRF check approved, so no second DNS answer can redirect it; the URL's host name
 * still goes in `Host` and in TLS SNI and certificate checks. Redirects come back as responses.
 */
export function fetchPinned(url: string, init: PinnedRequest): Promise<Response> {
  const target = new URL(url)
  const family = isIP(init.address)
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: init.address, family }])
    else callback(null, init.address, family)
  }
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(target, { method: init.method, headers: init.headers, lookup: pinned, signal: init.signal }, (res: IncomingMessage) => {
      const headers = new Headers()
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
      }
      const status = res.statusCode ?? 502
      const body = NULL_BODY.has(status) || init.method === 'HEAD' ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>)
      if (!body) res.resume()
      resolve(new Response(body, { status: status < 200 || status > 599 ? 502 : status, statusText: res.statusMessage ?? '', headers }))
    })
    req.on('error', reject)
    req.end()
  })
}
