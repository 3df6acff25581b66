import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Answers with `Connection: close` when the response starts before the request body was read to
 * its end (a 401, 404, 413 or 415 refuses it unread). Left on a keep-alive connection, that body
 * must be drained before the next request: @hono/node-server gives the drain 500 ms and then
 * destroys the socket, under whatever request the client had sent next on it (1 in 2 cut with
 * "other side closed" for 300 KB bodies). Closing with the answer keeps it and spares the next one.
 */
export function closeIfBodyLeftUnread(req: IncomingMessage, res: ServerResponse): void {
  const length = req.headers['content-length']
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return
  const writeHead = res.writeHead
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!req.readableEnded) this.shouldKeepAlive = false
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
  } as ServerResponse['writeHead']
}
