import type { BusControl, EventBus } from '../ports/event-bus'
import { PreparedEvent } from '../ports/prepared-event'
import type { AppEvent } from '../protocol/events'
import { BusListeners } from './bus-listeners'
import { ReplayRing } from './replay-ring'

/**
 * The in-process bus: ids from a counter that starts at the boot time in microseconds, so ids
 * keep growing across restarts and an old `Last-Event-ID` is recognised as unavailable.
 */
export class MemoryEventBus implements EventBus {
  readonly #listeners = new BusListeners()
  readonly #ring: ReplayRing
  #nextId: number
  readonly #firstId: number

  constructor(options: { replayPerUser?: number; now?: () => number } = {}) {
    this.#ring = new ReplayRing(options.replayPerUser ?? 1024)
    this.#firstId = this.#nextId = (options.now ?? Date.now)() * 1000
  }

  async publish(userId: string | null, event: AppEvent): Promise<PreparedEvent> {
    const prepared = PreparedEvent.from(++this.#nextId, userId, event)
    this.#ring.add(prepared)
    this.#listeners.emitEvent(prepared)
    return prepared
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    return this.#listeners.onEvent(listener)
  }

  async replay(userId: string, afterId: number): Promise<PreparedEvent[] | null> {
    // Ids before this boot belong to a previous process whose events are gone.
    if (afterId < this.#firstId || afterId > this.#nextId) return null
    return this.#ring.since(userId, afterId)
  }

  lastId(): number {
    return this.#nextId
  }

  async publishControl(message: BusControl): Promise<void> {
    this.#listeners.emitControl(message)
  }

  onControl(listener: (message: BusControl) => void): () => void {
    return this.#listeners.onControl(listener)
  }

  async close(): Promise<void> {}
}
