import type { BodyReader, StreamRequest } from '../ports/stream-request'

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
