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
