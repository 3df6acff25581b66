// The parts of Bun this adapter uses, as `*Like` interfaces (instead of bun-types, whose globals
// clash with @types/node and the DOM lib). https://bun.sh/docs/api/http

export interface BunServerWebSocketLike {
  send(data: string | Uint8Array, compress?: boolean): number
  ping(data?: string): number
  close(code?: number, reason?: string): void
  terminate(): void
  getBufferedAmount(): number
  readonly readyState: number
}

export interface BunWebSocketHandlerLike {
  open(ws: any): void
  message(ws: any, message: any): void
  close(ws: any, code: number, reason: string): void
  drain?(ws: any): void
  maxPayloadLength?: number
  idleTimeout?: number
  sendPings?: boolean
  perMessageDeflate?: boolean
  backpressureLimit?: number
}

export interface BunServerLike {
  readonly port: number
  readonly hostname: string
  stop(closeActiveConnections?: boolean): Promise<void>
  upgrade(request: Request, options?: { data?: unknown }): boolean
}

export interface BunServeOptionsLike {
  hostname: string
  port: number
  fetch(request: Request, server: BunServerLike): Response | Promise<Response>
  error?(error: Error): Response | Promise<Response>
  websocket?: BunWebSocketHandlerLike
  /** Seconds an HTTP connection may stay silent (0 disables; at most 255). */
  idleTimeout?: number
  development?: boolean
}

export interface BunLike {
  readonly version: string
  serve(options: BunServeOptionsLike): BunServerLike
  SHA256: { hash(input: string): Uint8Array }
}
