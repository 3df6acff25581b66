import type { BusControl } from '../ports/event-bus'
import type { PreparedEvent } from '../ports/prepared-event'

/** Listener plumbing shared by bus implementations. */
export class BusListeners {
  readonly events = new Set<(event: PreparedEvent) => void>()
  readonly controls = new Set<(message: BusControl) => void>()

  emitEvent(event: PreparedEvent): void {
    for (const listener of this.events) listener(event)
  }

  emitControl(message: BusControl): void {
    for (const listener of this.controls) listener(message)
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    this.events.add(listener)
    return () => this.events.delete(listener)
  }

  onControl(listener: (message: BusControl) => void): () => void {
    this.controls.add(listener)
    return () => this.controls.delete(listener)
  }
}
