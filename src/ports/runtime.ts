import type { Context } from 'hono'
import type { UpgradeWebSocket, WSContext } from 'hono/ws'
import type { EventSink, Once } from './event-sink'
import type { StreamRequest } from './stream-request'
import type { ByteSink } from './byte-sink'
import type { Sha256 } from '../lib/crypto'
import type { Clock } from '../lib/time'
import type { SpawnMcpStdio } from './mcp-stdio'
import type { OpenDirectory } from './directory'
import type { UnpackArchive } from './archive'
import type { SandboxRuntime } from './sandbox'

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
  /**
   * Opens any other streamed response (the `/v1` proxy's relay) with a sink that writes straight
   * to the socket. Same contract as `openSse`: undefined to fall back to a Web Streams body.
   */
  openBody?: (c: Context, headers: Headers) => { sink: ByteSink; response: Response } | undefined
  /** A WebSocket sink with real backpressure and protocol pings (Node's `ws`). */
  wsSink?: (ws: WSContext, limits: { bufferBytes: number }) => { sink: EventSink; closed: Once } | undefined
  /**
   * Gives the response to this request headers it carries unless the app sets the same name
   * itself, without building them into the Response: Node's `ServerResponse.setHeader`, which
   * `writeHead` merges under the app's own. False when it cannot for this request; the
   * middleware then adds them to the Response after the handler. (The security headers through
   * Web `Headers` cost ~4 us of ~15 per request; bench: `http`.)
   */
  baseHeaders?: (c: Context, headers: Readonly<Record<string, string>>) => boolean
  clock?: Clock
  /**
   * The address of the connection's peer (the socket, not a forwarded header): who may send the
   * trusted proxy's identity header. Without it that header is refused from everyone.
   */
  remoteAddress?: (c: Context) => string | undefined
  /** Resolves a host name to its IP addresses (Node: `node:dns`). With `fetchPinned`, enables `http_fetch`. */
  resolveHost?: (hostname: string) => Promise<string[]>
  /**
   * Sends one HTTP(S) request to `address`, the already-checked IP of the URL's host, instead of
   * resolving the host again (DNS pinning against rebinding); TLS still verifies the host name.
   * Redirects are returned, not followed.
   */
  fetchPinned?: (url: string, init: PinnedRequest) => Promise<Response>
  /** The `/v1` relay's upstream request, read chunk by chunk without Web Streams (Node: `node:http`); fetch otherwise. */
  streamRequest?: StreamRequest
  /** Files under the data dir (installed skills, extension workspaces); without it skills answer 503. */
  openDirectory?: OpenDirectory
  /** Unpacks zip and tar.gz skill archives within limits; without it only single-file skills install. */
  unpackArchive?: UnpackArchive
  /** Starts stdio MCP servers; without it only Streamable HTTP extensions can be activated. */
  spawnMcpStdio?: SpawnMcpStdio
  /** Confined file access and isolated child processes for sandbox jobs; without it jobs answer 503. */
  sandbox?: SandboxRuntime
}

export interface PinnedRequest {
  address: string
  method: 'GET' | 'HEAD'
  headers: Record<string, string>
  signal: AbortSignal
}
