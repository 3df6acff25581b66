import type { Context } from 'hono'
import { openSseBody } from '../../hub/sse-response'
import type { ByteSink } from '../../ports/byte-sink'
import type { GatewayEnv } from '../../ports/env'
import type { RouteDeps } from '../deps'

const encoder = new TextEncoder()
/** OpenAI's own streams send a comment every 15 s; clients tuned for them expect no longer silence. */
const KEEPALIVE_MS = 15_000

/** A Responses API event stream: `event: <type>` and its JSON, as the official SDK reads them. */
export function openResponseStream(c: Context<GatewayEnv>, d: RouteDeps, headers?: Record<string, string>): { sink: ByteSink; send: (type: string, payload: Record<string, unknown>) => void; gone: () => boolean; response: Response } {
  const { sink, response } = openSseBody(c, d.runtime, { keepAlive: d.hub.keepAlive, idleMs: KEEPALIVE_MS, ...(headers ? { headers } : {}) })
  let closed = false
  sink.onClose(() => (closed = true))
  return {
    sink,
    response,
    gone: () => closed,
    send: (type, payload) => {
      if (!closed) sink.write(encoder.encode(`event: ${type}\ndata: ${JSON.stringify(payload)}\n\n`))
    },
  }
}
