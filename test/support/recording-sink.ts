import { Once } from '../../src/exports/ports'
import type { EventSink, PreparedEvent } from '../../src/index'

/** A sink that records what it is given and can pretend to be full. */
export class RecordingSink implements EventSink {
  readonly kind = 'sse' as const
  readonly written: Array<{ id: number; type: string; json: Record<string, unknown> }> = []
  full = false
  finalEvent: PreparedEvent | undefined
  #drain: (() => void) | undefined
  readonly closed = new Once()
  write(event: PreparedEvent) {
    this.written.push({ id: event.id, type: event.type, json: JSON.parse(event.json) as Record<string, unknown> })
  }
  ready() {
    return !this.full
  }
  onDrain(cb: () => void) {
    this.#drain = cb
  }
  drain() {
    this.full = false
    this.#drain?.()
  }
  keepAlives = 0
  keepAlive() {
    this.keepAlives++
  }
  close(final?: PreparedEvent) {
    this.finalEvent = final
    this.closed.fire()
  }
  onClose(cb: () => void) {
    this.closed.add(cb)
  }
  types() {
    return this.written.map((e) => e.type)
  }
}
