import type { ByteSink } from '../ports/byte-sink'
import type { EventSink } from '../ports/event-sink'
import { SSE_KEEPALIVE } from '../ports/prepared-event'
import { type Clock, systemClock, unrefTimer } from '../lib/time'

interface Watched {
  lastWriteAt: number
  idleMs: number
  keepAlive(): void
}

/**
 * The one timer behind every stream's keep-alive (chat, jobs, logs, `/v1`): a stream that has
 * written nothing for `idleMs` gets an SSE comment (or a WebSocket ping), so proxies and browsers
 * keep an idle connection open. One interval for all streams, not one per stream: 1,000 idle
 * streams cost one timer wake-up per tick.
 */
export class KeepAlive {
  readonly #watched = new Set<Watched>()
  readonly #sweeps = new Set<(now: number) => void>()
  readonly #timer: ReturnType<typeof setInterval>

  constructor(
    readonly idleMs: number,
    readonly clock: Clock = systemClock,
  ) {
    const tick = Math.max(50, Math.min(1000, Math.floor(idleMs / 4)))
    this.#timer = unrefTimer(setInterval(() => this.#tick(), tick))
  }

  /** Runs `sweep` on every tick (the hub walks its own subscribers); returns the unsubscribe. */
  onTick(sweep: (now: number) => void): () => void {
    this.#sweeps.add(sweep)
    return () => this.#sweeps.delete(sweep)
  }

  /** The sink to write to instead of `sink`: its writes are timed, and it is kept alive until it closes. */
  eventSink(sink: EventSink): EventSink {
    const watched = this.#watch(() => sink.keepAlive(), sink.onClose.bind(sink))
    return {
      kind: sink.kind,
      write: (event) => {
        sink.write(event)
        watched.lastWriteAt = this.clock.now()
      },
      ready: () => sink.ready(),
      onDrain: (callback) => sink.onDrain(callback),
      keepAlive: () => watched.keepAlive(),
      close: (final) => {
        this.#watched.delete(watched)
        sink.close(final)
      },
      onClose: (callback) => sink.onClose(callback),
    }
  }

  /** The same for a byte stream (the `/v1` proxy), idle after `idleMs`: its keep-alive is an SSE comment. */
  byteSink(sink: ByteSink, idleMs = this.idleMs): ByteSink {
    const watched = this.#watch(() => void sink.write(SSE_KEEPALIVE), sink.onClose.bind(sink), idleMs)
    return {
      write: (bytes) => {
        watched.lastWriteAt = this.clock.now()
        return sink.write(bytes)
      },
      onDrain: (callback) => sink.onDrain(callback),
      end: () => {
        this.#watched.delete(watched)
        sink.end()
      },
      onClose: (callback) => sink.onClose(callback),
    }
  }

  /** Stops the timer (the gateway is closing). */
  close(): void {
    clearInterval(this.#timer)
    this.#watched.clear()
    this.#sweeps.clear()
  }

  #watch(write: () => void, onClose: (callback: () => void) => void, idleMs = this.idleMs): Watched {
    const watched: Watched = {
      lastWriteAt: this.clock.now(),
      idleMs,
      keepAlive: () => {
        write()
        watched.lastWriteAt = this.clock.now()
      },
    }
    this.#watched.add(watched)
    onClose(() => this.#watched.delete(watched))
    return watched
  }

  #tick(): void {
    const now = this.clock.now()
    for (const sweep of this.#sweeps) sweep(now)
    for (const watched of this.#watched) {
      if (now - watched.lastWriteAt < watched.idleMs) continue
      try {
        watched.keepAlive()
      } catch {
        // A broken stream's own close callback removes it.
        this.#watched.delete(watched)
      }
    }
  }
}
