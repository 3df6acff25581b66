import { LlmError } from './errors'

/**
 * The most one line of an upstream event stream may hold. A real chunk is a few tokens (the whole
 * answer, at most, from servers that send it in one piece: `maxTokens` of text is well under
 * 1 MiB); the SDKs' line decoders buffer a line until it ends, re-scanning it per network read,
 * so one 50 MB line kept the gateway busy for the whole idle timeout before it failed.
 */
export const MAX_STREAM_LINE_BYTES = 4 * 1024 * 1024

const NEWLINE = 0x0a

/**
 * Wraps a fetch so that an event-stream response fails fast with a clear `malformed` error once a
 * single line passes `maxLineBytes`, instead of being buffered whole. Other responses pass as they are.
 */
export function boundedStreamFetch(inner: typeof fetch, maxLineBytes = MAX_STREAM_LINE_BYTES): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init)
    if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return response
    let sinceNewline = 0
    const bounded = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const last = chunk.lastIndexOf(NEWLINE)
          sinceNewline = last === -1 ? sinceNewline + chunk.byteLength : chunk.byteLength - last - 1
          if (sinceNewline > maxLineBytes) {
            controller.error(new LlmError('malformed', `The model provider sent one stream event over ${Math.round(maxLineBytes / 1024 / 1024)} MiB`, { retryable: false }))
            return
          }
          controller.enqueue(chunk)
        },
      }),
    )
    return new Response(bounded, { status: response.status, statusText: response.statusText, headers: response.headers })
  }
}
