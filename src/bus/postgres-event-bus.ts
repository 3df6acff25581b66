import { sql } from 'kysely'
import { BusControl, type EventBus } from '../ports/event-bus'
import { BusListeners } from './bus-listeners'
import { ReplayRing } from './replay-ring'
import { PreparedEvent } from '../ports/prepared-event'
import { unrefTimer } from '../lib/time'
import type { AppEvent } from '../protocol/events'
import type { Notifier, Store } from '../store/database'
import { compactEventLog, pruneEventLog, replayFromLog } from './event-log'
import { BusInbox } from './postgres-bus-inbox'

/** How long a publisher waits to see its own event come back before it stops waiting. */
const ECHO_TIMEOUT_MS = 2_000
/** Bounds one publishing call: events, and bytes of payload. */
const BATCH_EVENTS = 200
const BATCH_BYTES = 1024 * 1024

interface Outgoing {
  userId: string | null
  type: string
  json: string
  stored(id: number): void
  failed(error: unknown): void
}

export interface PostgresEventBusOptions {
  replayPerUser?: number
  retentionMs?: number
  /** Streaming deltas older than this are folded away (`compactEventLog`). */
  compactAfterMs?: number
  now?: () => number
}

/**
 * The event bus of several gateway instances sharing one PostgreSQL database.
 *
 * Every event, local ones included, reaches this instance's hub through the notification stream
 * (`BusInbox`): `gateway_publish_events` stores events and NOTIFYs in one statement, under a lock
 * that makes ids follow commit order, and notifications arrive in commit order, so every instance
 * delivers the same events in the same (id) order. When the listening connection drops, the
 * events committed meanwhile are read back from the table (`id > last seen`) once it is back;
 * payloads too large for NOTIFY are read by id. Control messages (`disconnect`,
 * `invalidate_auth`, `custom`) take the same path through `bus_controls`, except that the
 * publishing instance applies them at once.
 */
export class PostgresEventBus implements EventBus {
  readonly #listeners = new BusListeners()
  readonly #ring: ReplayRing
  /** This instance, so it can skip the control messages it published itself. */
  readonly #origin = crypto.randomUUID()
  readonly #inbox: BusInbox
  /** The ring holds every event delivered since start; older ones are in the table. */
  #ringFrom = 0
  #closed = false
  #pruneTimer: ReturnType<typeof setInterval> | undefined
  #unlisten: (() => Promise<void>) | undefined
  /** Publishers waiting for their event to come back through the stream, by id. */
  readonly #echoes = new Map<number, () => void>()
  /**
   * An echo timed out: the listening connection may be dead without having said so (until the
   * notifier's ping finds out). Publishers stop waiting until a notification arrives again.
   */
  #echoStalled = false
  /** Events waiting to be stored, in publish order; sent in batches by `#flush`. */
  #outgoing: Outgoing[] = []
  #flushing: Promise<void> | undefined

  private constructor(
    readonly store: Store,
    readonly channel: string,
    private readonly options: Required<PostgresEventBusOptions>,
  ) {
    this.#ring = new ReplayRing(options.replayPerUser)
    this.#inbox = new BusInbox(store.db, this.#origin, {
      event: (event) => this.#deliver(event),
      control: (message) => this.#listeners.emitControl(message),
    })
  }

  static async open(store: Store, options: PostgresEventBusOptions = {}): Promise<PostgresEventBus> {
    const notifier = store.notifier
    if (store.dialect !== 'postgres' || !notifier) throw new Error('PostgresEventBus needs a PostgreSQL store with a notifier')
    const bus = new PostgresEventBus(store, await busChannel(store), {
      replayPerUser: options.replayPerUser ?? 1024,
      retentionMs: options.retentionMs ?? 24 * 60 * 60 * 1000,
      compactAfterMs: options.compactAfterMs ?? 60 * 60 * 1000,
      now: options.now ?? Date.now,
    })
    await bus.#start(notifier)
    return bus
  }

  async #start(notifier: Notifier): Promise<void> {
    this.#unlisten = await notifier.listen(this.channel, (payload) => this.#inbox.receive(payload), {
      onLost: () => {
        this.#inbox.lost()
        // Nothing comes back until the connection does; do not hold publishers meanwhile.
        this.#releaseEchoes(Number.POSITIVE_INFINITY)
      },
      onResume: () => this.#inbox.resumed(),
    })
    // Listening first, then the high-water marks: a notification at or below them is from before us.
    const db = this.store.db
    const [events, controls] = await Promise.all([
      db.selectFrom('events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst(),
      db.selectFrom('bus_controls').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst(),
    ])
    this.#ringFrom = Number(events?.max ?? 0)
    this.#inbox.start(this.#ringFrom, Number(controls?.max ?? 0))
    await this.prune()
    this.#pruneTimer = unrefTimer(setInterval(() => void this.prune().catch(() => undefined), 60 * 60 * 1000))
  }

  publish(userId: string | null, event: AppEvent): Promise<PreparedEvent> {
    if (this.#closed) return Promise.reject(new Error('the event bus is closed'))
    const json = JSON.stringify(event)
    const stored = new Promise<number>((resolve, reject) => {
      this.#outgoing.push({ userId, type: event.type, json, stored: resolve, failed: reject })
    })
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = undefined))
    return stored.then(async (id) => {
      await this.#echo(id)
      return new PreparedEvent(id, userId, event.type, json)
    })
  }

  /**
   * Stores the queued events, oldest first, one call at a time: what queues up during a call goes
   * in the next one. So this instance's events are stored (and numbered) in publish order, and a
   * burst costs a few commits rather than one per event.
   */
  async #flush(): Promise<void> {
    while (this.#outgoing.length > 0) {
      let bytes = 0
      let n = 0
      while (n < this.#outgoing.length && n < BATCH_EVENTS && (n === 0 || bytes + this.#outgoing[n]!.json.length <= BATCH_BYTES)) {
        bytes += this.#outgoing[n]!.json.length
        n++
      }
      const batch = this.#outgoing.splice(0, n)
      try {
        const ids = await this.#store(batch)
        batch.forEach((event, i) => event.stored(ids[i]!))
      } catch (error) {
        if (batch.length === 1) batch[0]!.failed(error)
        // One event the database refuses must not fail the others: store them one by one.
        else for (const event of batch) await this.#store([event]).then(([id]) => event.stored(id!), event.failed)
      }
    }
  }

  async #store(batch: Outgoing[]): Promise<number[]> {
    const { rows } = await sql<{ ids: Array<number | string> }>`select gateway_publish_events(${this.channel}, ${batch.map((e) => e.userId)}::text[], ${batch.map((e) => e.type)}::text[], ${batch.map((e) => e.json)}::text[], ${this.#nowIso()}) as ids`.execute(
      this.store.db,
    )
    const ids = rows[0]?.ids ?? []
    if (ids.length !== batch.length) throw new Error(`stored ${ids.length} of ${batch.length} events`)
    return ids.map(Number)
  }

  /**
   * Resolves once this instance has delivered event `id` (so `await publish()` means local streams
   * have it, as with the other buses), at once while the listener is down (the catch-up will
   * deliver it), and after a bounded wait in any case.
   */
  #echo(id: number): Promise<void> {
    if (id <= this.#inbox.lastId || !this.#inbox.live || this.#echoStalled || this.#closed) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = unrefTimer(
        setTimeout(() => {
          this.#echoStalled = true
          // A connection that died silently (a blackholed server) is otherwise found by the next ping only.
          this.store.notifier?.check?.()
          if (this.#echoes.delete(id)) resolve()
        }, ECHO_TIMEOUT_MS),
      )
      this.#echoes.set(id, () => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #releaseEchoes(throughId: number): void {
    for (const [id, release] of this.#echoes) {
      if (id > throughId) continue
      this.#echoes.delete(id)
      release()
    }
  }

  onEvent(listener: (event: PreparedEvent) => void): () => void {
    return this.#listeners.onEvent(listener)
  }

  async replay(userId: string, afterId: number): Promise<PreparedEvent[] | null> {
    if (afterId >= this.#ringFrom && afterId <= this.#inbox.lastId) {
      const fromRing = this.#ring.since(userId, afterId)
      if (fromRing !== null) return fromRing
    }
    // A client may come from an instance a few notifications ahead of this one: the table decides.
    return replayFromLog(this.store.db, userId, afterId)
  }

  lastId(): number {
    return this.#inbox.lastId
  }

  async publishControl(message: BusControl): Promise<void> {
    const json = JSON.stringify(BusControl.parse(message))
    // Applied here at once: closing a revoked token's streams must not wait for a round trip.
    this.#listeners.emitControl(message)
    await sql`select gateway_publish_control(${this.channel}, ${this.#origin}, ${json}, ${this.#nowIso()})`.execute(this.store.db)
  }

  onControl(listener: (message: BusControl) => void): () => void {
    return this.#listeners.onControl(listener)
  }

  /** Deletes events and control messages older than the retention period, and folds away old streaming deltas. */
  async prune(): Promise<void> {
    const cutoff = new Date(this.options.now() - this.options.retentionMs).toISOString()
    await pruneEventLog(this.store.db, cutoff)
    await compactEventLog(this.store.db, new Date(this.options.now() - this.options.compactAfterMs).toISOString())
    await this.store.db.deleteFrom('bus_controls').where('created_at', '<', cutoff).execute()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#pruneTimer)
    this.#inbox.close()
    await this.#flushing
    this.#releaseEchoes(Number.POSITIVE_INFINITY)
    await this.#unlisten?.().catch(() => undefined)
  }

  #nowIso(): string {
    return new Date(this.options.now()).toISOString()
  }

  #deliver(event: PreparedEvent): void {
    this.#echoStalled = false
    this.#ring.add(event)
    try {
      this.#listeners.emitEvent(event)
    } finally {
      this.#releaseEchoes(event.id)
    }
  }
}

/**
 * The NOTIFY channel of this deployment: one per schema, so gateways (or test runs) in separate
 * schemas of one database do not hear each other. Channel names are identifiers (at most 63 bytes).
 */
async function busChannel(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)
  const schema = rows[0]?.schema ?? 'public'
  const name = `gateway_bus:${schema}`
  return new TextEncoder().encode(name).length <= 63 ? name : `gateway_bus:${fnv1a(schema)}`
}

const fnv1a = (text: string): string => {
  let hash = 0x811c9dc5
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}
