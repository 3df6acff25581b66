import type { MiddlewareHandler } from 'hono'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import { GatewayError } from '../lib/errors'

/**
 * 413 past `maxBytes`, counted on the bytes read, so chunked bodies are capped too.
 * GET, HEAD and OPTIONS carry no body to count: they skip the check, because touching
 * `c.req.raw.body` makes @hono/node-server build a full `Request` (with an AbortController)
 * for every request, which cost the public routes half their throughput (bench: `http`).
 */
export const bodyLimit = (maxBytes: number): MiddlewareHandler => {
  const limit = honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new GatewayError(413, 'payload_too_large', `Request body exceeds ${maxBytes} bytes`)
    },
  })
  return function bodyLimit(c, next) {
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next()
    return limit(c, next)
  }
}
