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

/** `StreamRequest` on a Fetch implementation. */
export function fetchStreamRequest(fetchImpl: typeof fetch = (input, init) => fetch(input, init)): StreamRequest {
  return async (url, init) => {
    const response = await fetchImpl(url, init)
    const reader = response.body?.getReader()
    return {
      status: response.status,
      headers: response.headers,
      body: {
        read: async () => {
          const result = await reader?.read()
          return result && !result.done ? result.value : undefined
        },
        cancel: () => void reader?.cancel().catch(() => undefined),
      },
    }
  }
}

/** The first `max` bytes of a body as text (an error answer's explanation), then the body is let go. */
export async function readText(body: BodyReader, max = 64 * 1024): Promise<string> {
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (let bytes = await body.read(); bytes !== undefined && text.length < max; bytes = await body.read()) {
      text += decoder.decode(bytes, { stream: true })
    }
  } catch {
    // What arrived before the failure is explanation enough.
  }
  body.cancel()
  return text.slice(0, max)
}
