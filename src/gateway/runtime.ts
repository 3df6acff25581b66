import type { Context } from 'hono'
import type { UpgradeWebSocket, WSContext } from 'hono/ws'
import type { EventSink, Once } from '../hub/event-sink'
import type { Sha256 } from '../lib/crypto'
import type { Clock } from '../lib/time'
import type { SandboxRuntime } from '../services/jobs/sandbox-port'

/**
 * What the core needs from the runtime it runs on. Adapters (`adapters/node`, `bun`, `deno`)
 * pass these in; `src/` never imports a runtime module, so it runs on any Fetch host.
 */
export interface RuntimeCapabilities {
  name: string
  /** A synchronous SHA-256 for the auth hot path (WebCrypto's async digest otherwise). */
  sha256?: Sha256
  /** Hono's WebSocket helper for this runtime; without it `/api/chat/ws` answers 503. */
  upgradeWebSocket?: UpgradeWebSocket<any, any>
  /**
   * Opens an SSE response with a sink that writes straight to the socket (Node). Returns
   * undefined to fall back to the Web Streams sink.
   */
  openSse?: (c: Context, headers: Headers, limits: { bufferBytes: number }) =>
    | { sink: EventSink; response: Response }
    | undefined
  /** A WebSocket sink with real backpressure and protocol pings (Node's `ws`). */
  wsSink?: (ws: WSContext, limits: { bufferBytes: number }) => { sink: EventSink; closed: Once } | undefined
  clock?: Clock
  /** Confined file access and isolated child processes for sandbox jobs; without it jobs answer 503. */
  sandbox?: SandboxRuntime
}
