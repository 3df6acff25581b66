/** A response body read chunk by chunk. */
export interface BodyReader {
  /** The next bytes, or undefined at the end of the body. */
  read(): Promise<Uint8Array | undefined>
  /** Stops reading and closes the connection's part in it. */
  cancel(): void
}

export interface StreamedAnswer {
  status: number
  headers: Headers
  body: BodyReader
}

/**
 * Sends one HTTP request and hands back its answer's body to read chunk by chunk: the `/v1`
 * relay's upstream call. The core's is `fetch`; Node's adapter supplies one on `node:http`,
 * which spares a Web Streams body per chunk (runtime capability `streamRequest`).
 */
export type StreamRequest = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<StreamedAnswer>
