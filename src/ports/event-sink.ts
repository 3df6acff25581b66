import type { PreparedEvent } from './prepared-event'

/**
 * Where a subscriber's events go: an SSE response body or a WebSocket. The core ships Web Streams
 * and generic WebSocket sinks; the Node adapter supplies faster ones that write pre-encoded bytes
 * straight to the socket. A sink never blocks the hub: when its buffer is full, `ready()` turns
 * false and the hub stops writing to it until `onDrain` fires.
 */
export interface EventSink {
  readonly kind: 'sse' | 'ws'
  /** Writes one event. Only called while `ready()` is true. */
  write(event: PreparedEvent<string>): void
  /** Whether the sink can take another event without exceeding its buffer. */
  ready(): boolean
  /** Registers a one-shot callback for when the buffer has room again. */
  onDrain(callback: () => void): void
  /** Writes a keep-alive (SSE comment, WS ping) so proxies and peers see a live connection. */
  keepAlive(): void
  /** Ends the stream, writing `final` first when given (SSE: a last event; WS: close 1001). */
  close(final?: PreparedEvent<string>): void
  /** Registers a one-shot callback for when the client goes away. */
  onClose(callback: () => void): void
}

/** Calls a set of callbacks once, however many times `fire` is called. */
export class Once {
  #fired = false
  readonly #callbacks: Array<() => void> = []

  get fired(): boolean {
    return this.#fired
  }

  add(callback: () => void): void {
    if (this.#fired) queueMicrotask(callback)
    else this.#callbacks.push(callback)
  }

  fire(): void {
    if (this.#fired) return
    this.#fired = true
    for (const callback of this.#callbacks.splice(0)) {
      try {
        callback()
      } catch {
        // A failing close callback must not stop the others from running.
      }
    }
  }
}
