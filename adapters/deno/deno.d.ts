// The parts of Deno this adapter uses, as `*Like` interfaces (instead of @types/deno, whose
// globals clash with @types/node). https://docs.deno.com/api/deno/~/Deno.serve

export interface DenoServeOptionsLike {
  hostname: string
  port: number
  /** Called once listening; Deno prints its own banner when this is absent. */
  onListen?(address: { hostname: string; port: number }): void
  onError?(error: unknown): Response | Promise<Response>
  signal?: AbortSignal
}

export interface DenoHttpServerLike {
  readonly addr: { hostname: string; port: number }
  readonly finished: Promise<void>
  /** Stops listening and resolves once in-flight requests have finished. */
  shutdown(): Promise<void>
}

export interface DenoLike {
  readonly version: { deno: string }
  serve(options: DenoServeOptionsLike, handler: (request: Request, info: unknown) => Response | Promise<Response>): DenoHttpServerLike
}
