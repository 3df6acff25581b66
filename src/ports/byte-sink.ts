/**
 * A streamed response body that a producer pushes bytes into, with the client's backpressure.
 * The core's sink is a Web `ReadableStream` (any Fetch host); the Node adapter supplies one that
 * writes to the socket directly (runtime capability `openBody`).
 */
export interface ByteSink {
  /** Writes bytes; false once the buffer is full: wait for `onDrain` before writing more. */
  write(bytes: Uint8Array): boolean
  /** Registers a one-shot callback for when the buffer has room again. */
  onDrain(callback: () => void): void
  /** Ends the body. */
  end(): void
  /** Registers a one-shot callback for when the client goes away before the end. */
  onClose(callback: () => void): void
}

/** A `ByteSink` on a Web `ReadableStream`, its queue bounded by `highWaterMark` chunks. */
export function createWebByteSink(highWaterMark = 16): { sink: ByteSink; body: ReadableStream<Uint8Array> } {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let drain: (() => void) | undefined
  let gone: (() => void) | undefined
  let ended = false
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
      },
      pull() {
        const callback = drain
        drain = undefined
        callback?.()
      },
      cancel() {
        ended = true
        gone?.()
      },
    },
    { highWaterMark, size: () => 1 },
  )
  const sink: ByteSink = {
    write(bytes) {
      if (ended) return true
      controller.enqueue(bytes)
      return (controller.desiredSize ?? 0) > 0
    },
    onDrain(callback) {
      drain = callback
    },
    end() {
      if (ended) return
      ended = true
      controller.close()
    },
    onClose(callback) {
      gone = callback
    },
  }
  return { sink, body }
}
