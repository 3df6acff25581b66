import type { ServerResponse } from 'node:http'
import type { ByteSink } from '../../src/ports/byte-sink'

/**
 * A streamed body straight onto the Node response: `res.write` per chunk instead of a Web
 * `ReadableStream` that @hono/node-server reads back (the `/v1` proxy relay: 10-15% of a
 * relayed chunk's CPU; bench: `proxy`). Backpressure is the response's own.
 */
export function createNodeByteSink(res: ServerResponse, headers: Headers): ByteSink {
  const head: Record<string, string> = {}
  headers.forEach((value, name) => {
    if (name !== 'content-length') head[name] = value
  })
  res.writeHead(200, head)
  let closed = false
  return {
    write: (bytes) => (closed || res.destroyed ? true : res.write(bytes)),
    onDrain: (callback) => {
      res.once('drain', callback)
    },
    end: () => {
      closed = true
      res.end()
    },
    onClose: (callback) => {
      res.once('close', () => {
        if (!res.writableFinished) callback()
      })
    },
  }
}
