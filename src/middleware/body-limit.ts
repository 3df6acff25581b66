import type { MiddlewareHandler } from 'hono'
import { bodyLimit as honoBodyLimit } from 'hono/body-limit'
import { GatewayError } from '../lib/errors'

/** 413 past `maxBytes`, counted on the bytes read, so chunked bodies are capped too. */
export const bodyLimit = (maxBytes: number): MiddlewareHandler =>
  honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new GatewayError(413, 'payload_too_large', `Request body exceeds ${maxBytes} bytes`)
    },
  })
