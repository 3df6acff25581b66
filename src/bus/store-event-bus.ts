import type { BusControl, EventBus } from '../ports/event-bus'
import { BusListeners } from './bus-listeners'
import { ReplayRing } from './replay-ring'
import { PreparedEvent } from '../ports/prepared-event'
import { unrefTimer } from '../lib/time'
import type { AppEvent } from '../protocol/events'
import type { Store } from '../store/database'
import { compactEventLog, pruneEventLog, replayFromLog } from './event-log'

/** At most this many events are sent ahead of their rows (SQLite); ids restart this far past the log. */
const UNWRITTEN_MAX = 1024

/**
 * A bus that persists every event, so `Last-Event-ID` replay works after a restart (for
 * `retentionMs`, then the events are pruned). Publishes are serialised, so delivery order is id
 * order. On SQLite ids are assigned in process and an event is delivered before its row is
 * written; elsewhere (PostgreSQL without LISTEN) the database assigns them and delivery follows
 * the write. Recent events are also kept in memory and replayed from there without a query.
 */
export class StoreEventBus implements EventBus {
  readonly #listeners = new BusListeners()
  readonly #ring: ReplayRing
  #chain: Promise<unknown> = Promise.resolve()
  #lastId = 0
  /** The ring only holds events published since `open`; older ones are in the table. */
  #ringFrom = 0
  #pruneTimer: ReturnType<typeof setInterval> | undefined
  readonly #assignsIds: boolean
  /** Events sent but not yet in the table (SQLite). */
  #unwritten = 0

  private constructor(
    readonly store: Store,
    private readonly options: { replayPerUser: number; retentionMs: number; compactAfterMs: number; now: () => number },
  ) {
    this.#ring = new ReplayRing(options.replayPerUser)
    this.#assignsIds = store.dialect === 'sqlite'
  }

  static async open(store: Store, options: { replayPerUser?: number; retentionMs?: number; compactAfterMs?: number; now?: () => number } = {}): Promise<StoreEventBus> {
    const bus = new StoreEventBus(store, {
      replayPerUser: options.replayPerUser ?? 1024,
      retentionMs: options.retentionMs ?? 24 * 60 * 60 * 1000,
      compactAfterMs: options.compactAfterMs ?? 60 * 60 * 1000,
      now: options.now ?? Date.now,
    })
    const row = await store.db.selectFrom('events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst()
    // Where ids are assigned here, past any that were sent but never written before a crash.
    bus.#lastId = bus.#ringFrom = Number(row?.max ?? 0) + (bus.#assignsIds ? UNWRITTEN_MAX : 0)
    await bus.prune()
    bus.#pruneTimer = unrefTimer(setInterval(() => void bus.prune().catch(() => undefined), 60 * 60 * 1000))
    return bus
  }

  publish(userId: string | null, event: AppEvent): Promise<PreparedEvent> {
    const json = JSON.stringify(event)
    if (this.#assignsIds) {
      // Past the bound, wait for the writes behind: then there is room again.
      if (this.#unwritten >= UNWRITTEN_MAX) return this.#chain.then(() => this.publish(userId, event))
      return this.#publishFirst(userId, event.type, json)
    }
    const result = this.#chain.then(async () => {
      const row = await this.store.db
        .insertInto('events')
        .values({ user_id: userId, type: event.type, payload: json, created_at: this.#createdAt() })
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

  /**
   * SQLite, which this process holds exclusively: ids are assigned here and the event goes out
   * before its row is written (in order, behind the writes before it). The write took 0.3-0.4 ms
   * of an idle machine's time per event, and a WAL checkpoint's fsync several ms, between the
   * model's token and the browser (bench: agent path). Replay has the event from the ring at
   * once. A crash before the row lands loses it from the log only; at most `UNWRITTEN_MAX` are
   * unwritten at a time, and ids restart that far past the log, so no id a client saw is reused.
   */
  #publishFirst(userId: string | null, type: AppEvent['type'], json: string): Promise<PreparedEvent> {
    const prepared = new PreparedEvent(++this.#lastId, userId, type, json)
    this.#ring.add(prepared)
    // A microtask, not a call: a listener that publishes in turn must not overtake this event.
    queueMicrotask(() => this.#listeners.emitEvent(prepared))
    this.#unwritten++
    const result = this.#chain.then(async () => {
      try {
        await this.store.db.insertInto('events').values({ id: prepared.id, user_id: userId, type, payload: json, created_at: this.#createdAt() }).execute()
      } finally {
        this.#unwritten--
      }
      return prepared
    })
    this.#chain = result.catch(() => undefined)
    return result
  }

  #createdAt(): string {
    return new Date(this.options.now()).toISOString()
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    return this.#listeners.onEvent(listener)
  }

  async replay(userId: string, afterId: number): Promise<PreparedEvent[] | null> {
    if (afterId > this.#lastId) return null
    const fromRing = afterId >= this.#ringFrom ? this.#ring.since(userId, afterId) : null
    if (fromRing) return fromRing
    // Rows still being written are part of the log too.
    await this.#chain
    return replayFromLog(this.store.db, userId, afterId)
  }

  lastId(): number {
    return this.#lastId
  }

  /** Deletes events older than the retention period, and folds away old streaming deltas. */
  async prune(): Promise<void> {
    await pruneEventLog(this.store.db, new Date(this.options.now() - this.options.retentionMs).toISOString())
    await compactEventLog(this.store.db, new Date(this.options.now() - this.options.compactAfterMs).toISOString())
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

