import { BusListeners, type BusControl, type EventBus, ReplayRing } from '../hub/event-bus'
import { PreparedEvent } from '../hub/prepared-event'
import { unrefTimer } from '../lib/time'
import type { AppEvent } from '../protocol/events'
import type { Store } from './database'
import { pruneEventLog, replayFromLog } from './event-log'

/**
 * A bus that persists every event before delivering it, so `Last-Event-ID` replay works after a
 * restart (for `retentionMs`, then the events are pruned). Ids come from the database and
 * publishes are serialised, so delivery order is id order. Recent events are also kept in memory
 * and replayed from there without a query.
 */
export class StoreEventBus implements EventBus {
  readonly #listeners = new BusListeners()
  readonly #ring: ReplayRing
  #chain: Promise<unknown> = Promise.resolve()
  #lastId = 0
  /** The ring only holds events published since `open`; older ones are in the table. */
  #ringFrom = 0
  #pruneTimer: ReturnType<typeof setInterval> | undefined

  private constructor(
    readonly store: Store,
    private readonly options: { replayPerUser: number; retentionMs: number; now: () => number },
  ) {
    this.#ring = new ReplayRing(options.replayPerUser)
  }

  static async open(store: Store, options: { replayPerUser?: number; retentionMs?: number; now?: () => number } = {}): Promise<StoreEventBus> {
    const bus = new StoreEventBus(store, {
      replayPerUser: options.replayPerUser ?? 1024,
      retentionMs: options.retentionMs ?? 24 * 60 * 60 * 1000,
      now: options.now ?? Date.now,
    })
    const row = await store.db.selectFrom('events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst()
    bus.#lastId = bus.#ringFrom = Number(row?.max ?? 0)
    await bus.prune()
    bus.#pruneTimer = unrefTimer(setInterval(() => void bus.prune().catch(() => undefined), 60 * 60 * 1000))
    return bus
  }

  publish(userId: string | null, event: AppEvent): Promise<PreparedEvent> {
    const json = JSON.stringify(event)
    const result = this.#chain.then(async () => {
      const row = await this.store.db
        .insertInto('events')
        .values({ user_id: userId, type: event.type, payload: json, created_at: new Date(this.options.now()).toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow()
      const prepared = new PreparedEvent(Number(row.id), userId, event.type, json)
      this.#lastId = prepared.id
      this.#ring.add(prepared)
      this.#listeners.emitEvent(prepared)
      return prepared
    })
    this.#chain = result.catch(() => undefined)
    return result
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    return this.#listeners.onEvent(listener)
  }

  async replay(userId: string, afterId: number): Promise<PreparedEvent[] | null> {
    if (afterId > this.#lastId) return null
    const fromRing = afterId >= this.#ringFrom ? this.#ring.since(userId, afterId) : null
    return fromRing ?? replayFromLog(this.store.db, userId, afterId)
  }

  lastId(): number {
    return this.#lastId
  }

  /** Deletes events older than the retention period. */
  async prune(): Promise<void> {
    await pruneEventLog(this.store.db, new Date(this.options.now() - this.options.retentionMs).toISOString())
  }

  async publishControl(message: BusControl): Promise<void> {
    this.#listeners.emitControl(message)
  }

  onControl(listener: (message: BusControl) => void): () => void {
    return this.#listeners.onControl(listener)
  }

  async close(): Promise<void> {
    clearInterval(this.#pruneTimer)
    await this.#chain
  }
}
